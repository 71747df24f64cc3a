from django.urls import path

from telephony import views

app_name = "telephony"
urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/disposition/", views.call_disposition, name="call_disposition"),
    path("calls/<int:pk>/recording/", views.call_recording, name="call_recording"),
    path("contacts/<int:contact_pk>/call/", views.call_contact, name="call_contact"),
]
