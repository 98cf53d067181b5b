from django.contrib.auth import views as auth_views
from django.urls import path

from access import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("administration/roles/", views.role_list, name="role_list"),
    path("administration/roles/new/", views.role_edit, name="role_create"),
    path("administration/roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("administration/licenses/", views.licenses, name="licenses"),
]
