from django.urls import path

from attestation.views import settings, stream_page, streams, student

app_name = "attestation"
urlpatterns = [
    path("streams/", streams.stream_list, name="stream_list"),
    path("streams/<int:pk>/", stream_page.stream_page, name="stream"),
    path("settings/", settings.module_settings, name="settings"),
    path("my/", student.my_exams, name="my_exams"),
]
