from django.urls import path

from college import views

app_name = "college"
urlpatterns = [
    path("journals/", views.journal_list, name="journal_list"),
    path("journals/<int:stream_pk>/", views.journal_detail, name="journal"),
    path("journals/<int:stream_pk>/settings/", views.journal_settings, name="journal_settings"),
    path("journals/<int:stream_pk>/marks/", views.journal_marks, name="journal_marks"),
]
