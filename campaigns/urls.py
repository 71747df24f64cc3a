from django.urls import path

from campaigns.views import campaigns as views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_edit, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/live/", views.campaign_live, name="live"),
    path("<int:pk>/export.csv", views.campaign_export, name="export"),
    path("<int:pk>/dnc/", views.campaign_dnc, name="dnc"),
    path("<int:pk>/dnc/<int:entry_pk>/remove/", views.campaign_dnc_remove, name="dnc_remove"),
    path("<int:pk>/hosted-settle/", views.campaign_hosted_settle, name="hosted_settle"),
    path("<int:pk>/<str:action>/", views.campaign_action, name="action"),
]
