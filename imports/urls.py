from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/<slug:token>/", views.preview, name="preview"),
    path("templates/<slug:kind>.<str:fmt>", views.template, name="template"),
]
