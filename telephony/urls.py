from django.urls import path

from telephony import views, views_accounts

app_name = "telephony"
urlpatterns = [
    path("accounts/", views_accounts.account_list, name="accounts"),
    path("accounts/new/", views_accounts.account_edit, name="account_create"),
    path("accounts/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views_accounts.account_edit, name="account_edit"),
    path(
        "accounts/<int:pk>/<str:action>/",
        views_accounts.account_action,
        name="account_action",
    ),
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/disposition/", views.call_disposition, name="call_disposition"),
    path("calls/<int:pk>/recording/", views.call_recording, name="call_recording"),
    path("contacts/<int:contact_pk>/call/", views.call_contact, name="call_contact"),
]
