from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/<slug:token>/", views.preview, name="preview"),
    path("preview/<slug:token>/retype/", views.retype, name="retype"),
    path("jobs/<slug:token>/", views.job_page, name="job"),
    path("templates/<slug:kind>.<str:fmt>", views.template, name="template"),
]
