from django.urls import path

from kindstep.web import (
    export_erase_views,
    import_views,
    insights_views,
    phone_views,
    plan_views,
    questionnaire_views,
    record_views,
    reminder_views,
    report_views,
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
    path("settings/pause/", reminder_views.pause, name="pause"),
    path("settings/reminders/", reminder_views.reminders, name="reminders"),
    path("settings/reminders/test/", reminder_views.reminders_test, name="reminders_test"),
    path("settings/reminders/push/", reminder_views.push_subscription, name="push_subscription"),
    path("settings/reminders.ics", reminder_views.reminders_ics, name="reminders_ics"),
    path("settings/reminders/feed/", reminder_views.feed_rotate, name="feed_rotate"),
    path("calendar/<str:token>.ics", reminder_views.feed, name="reminders_feed"),
    path("settings/report/", report_views.report, name="report"),
    path("settings/fhir/", report_views.fhir, name="fhir"),
    path("import/", import_views.import_page, name="import"),
    path("import/<int:job>/", import_views.import_job, name="import_job"),
    path("import/<int:job>/status/", import_views.import_job_status, name="import_job_status"),
    path("import/moods/", import_views.place_moods, name="place_moods"),
    path("unlock/", unlock.unlock, name="unlock"),
    path("insights/", insights_views.insights, name="insights"),
    path("insights/charts/<str:name>.svg", insights_views.chart, name="insights_chart"),
    path("experiments/", insights_views.experiments, name="experiments"),
    path("experiments/start/", insights_views.experiment_start, name="experiment_start"),
    path("experiments/log/", insights_views.experiment_log, name="experiment_log"),
    path("experiments/stop/", insights_views.experiment_stop, name="experiment_stop"),
    path("experiments/export/", insights_views.experiment_export, name="experiment_export"),
    path("plans/", plan_views.plans, name="plans"),
    path("plans/<str:plan>/move/", plan_views.plan_move, name="plan_move"),
    path("plans/<str:plan>/drop/", plan_views.plan_drop, name="plan_drop"),
    path("expect/", plan_views.expect, name="expect"),
    path("values/", plan_views.values, name="values"),
    path("welcome/", plan_views.welcome, name="welcome"),
    path("manifest.webmanifest", phone_views.manifest, name="manifest"),
    path("sw.js", phone_views.service_worker, name="service_worker"),
    path("install/", phone_views.install, name="install"),
    path("offline/", phone_views.offline, name="offline"),
]

handler404 = "kindstep.web.views.not_found"
handler500 = "kindstep.web.views.server_error"

from django.conf import settings  # noqa: E402 - server mode's pages, added after kindstep's own

if settings.MODE == "server":
    from kindstep.accounts.urls import urlpatterns as account_urlpatterns

    urlpatterns += account_urlpatterns
    from kindstep.groups.urls import urlpatterns as group_urlpatterns  # quiet peer groups

    urlpatterns += group_urlpatterns
    from kindstep.sharing.urls import urlpatterns as sharing_urlpatterns

    urlpatterns += sharing_urlpatterns
    from kindstep.api.urls import urlpatterns as api_urlpatterns  # the REST API (kindstep/api)

    urlpatterns += api_urlpatterns

