"""Things kindstep makes for people to keep or share: charts now; the PDF report, FHIR and
calendar files later. Adapters over ``core`` values: no Django, no clock."""
