from django.urls import path

from attestation.views import journals as views

# The college's journals (JRN): their data is the college's (college/models.py); their pages live here, on
# the module's side, because they ask the access policy and the module's "conduct online" rules.
app_name = "journals"
urlpatterns = [
    path("journals/", views.journal_list, name="journal_list"),
    path("journals/<int:stream_pk>/", views.journal_detail, name="journal"),
    path("journals/<int:stream_pk>/settings/", views.journal_settings, name="journal_settings"),
    path("journals/<int:stream_pk>/marks/", views.journal_marks, name="journal_marks"),
]
