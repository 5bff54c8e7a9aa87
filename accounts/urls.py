from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import LoginForm
from accounts.password_reset import NewPasswordForm, PasswordResetRequestForm
from accounts.views import register, user_settings

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # "Forgot your password?" (Django's views and URL names; our forms and templates)
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetRequestForm,
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("register/", register, name="register"),
    path("settings/", user_settings, name="user-settings"),
]
