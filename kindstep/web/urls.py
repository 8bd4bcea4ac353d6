from django.urls import path

from kindstep.web import (
    export_erase_views,
    import_views,
    insights_views,
    questionnaire_views,
    record_views,
    unlock,
    views,
)

urlpatterns = [
    path("", views.today, name="today"),
    path("checkin/", views.checkin, name="checkin"),
    path("move/", views.move, name="move"),
    path("log/", views.log, name="log"),
    path("rest/", views.rest, name="rest"),
    path("history/", record_views.history, name="history"),
    path("history/<str:entry>/edit/", record_views.edit, name="edit"),
    path("history/<str:entry>/delete/", record_views.delete, name="delete"),
    path("history/undo/", record_views.undo, name="undo"),
    path("rhythm/", views.rhythm, name="rhythm"),
    path("checkins/", questionnaire_views.checkins, name="checkins"),
    path("checkins/<str:scale>/", questionnaire_views.questionnaire, name="questionnaire"),
    path("checkins/<str:scale>/<int:pk>/", questionnaire_views.questionnaire_result, name="questionnaire_result"),
    path("readiness/", questionnaire_views.readiness, name="readiness"),
    path("why/", views.why, name="why"),
    path("help-now/", views.help_now, name="help_now"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/country/", views.country, name="country"),
    path("settings/export/", export_erase_views.export, name="export"),
    path("settings/erase/", export_erase_views.erase, name="erase"),
    path("import/", import_views.import_page, name="import"),
    path("unlock/", unlock.unlock, name="unlock"),
    path("insights/", insights_views.insights, name="insights"),
    path("insights/charts/<str:name>.svg", insights_views.chart, name="insights_chart"),
    path("experiments/", insights_views.experiments, name="experiments"),
    path("experiments/start/", insights_views.experiment_start, name="experiment_start"),
    path("experiments/log/", insights_views.experiment_log, name="experiment_log"),
    path("experiments/stop/", insights_views.experiment_stop, name="experiment_stop"),
    path("experiments/export/", insights_views.experiment_export, name="experiment_export"),
]

handler404 = "kindstep.web.views.not_found"
handler500 = "kindstep.web.views.server_error"
