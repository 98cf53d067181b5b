from django.urls import path

from attestation import views

app_name = "attestation"
urlpatterns = [
    path("streams/", views.stream_list, name="stream_list"),
    path("my/", views.my_exams, name="my_exams"),
]
urlpatterns += [path("settings/", views.module_settings, name="settings")]
