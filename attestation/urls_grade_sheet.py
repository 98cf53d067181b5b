"""The exam statement's downloads and chart (X-6); included at the end of ``attestation.urls``."""

from django.urls import path

from attestation.views import grade_sheet

urlpatterns = [
    path("streams/<int:pk>/grade-sheet.<str:fmt>", grade_sheet.stream_sheet, name="grade_sheet_stream"),
    path("slots/<int:slot_pk>/grade-sheet.<str:fmt>", grade_sheet.slot_sheet, name="grade_sheet_slot"),
    path("streams/<int:pk>/grade-chart.svg", grade_sheet.stream_chart, name="grade_chart_stream"),
    path("slots/<int:slot_pk>/grade-chart.svg", grade_sheet.slot_chart, name="grade_chart_slot"),
]
