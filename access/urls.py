from django.contrib.auth import views as auth_views
from django.urls import path

from access import login_help_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("password/", login_help_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", login_help_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/first/", login_help_views.first_password, name="first_password"),
    path("students/logins/", login_help_views.student_logins, name="student_logins"),
    path("students/login-sheet/", login_help_views.student_login_sheet, name="login_sheet"),
    path("students/<int:student_pk>/login/", login_help_views.student_login, name="student_login"),
    path(
        "students/<int:student_pk>/login/release/",
        login_help_views.student_login_release,
        name="student_login_release",
    ),
    path(
        "students/<int:student_pk>/password/",
        login_help_views.student_password_reset,
        name="student_password_reset",
    ),
    path("administration/roles/", views.role_list, name="role_list"),
    path("administration/roles/new/", views.role_edit, name="role_create"),
    path("administration/roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("administration/licenses/", views.licenses, name="licenses"),
    path("administration/users/", views.user_list, name="user_list"),
    path("administration/users/<int:pk>/", views.user_detail, name="user_detail"),
]
