from django.urls import path

from campaigns.views import tts as views_tts

app_name = "tts"
urlpatterns = [
    path("", views_tts.tts_list, name="list"),
    path("new/", views_tts.tts_edit, name="create"),
    path("preview/", views_tts.tts_preview, name="preview"),
    path("<int:pk>/", views_tts.tts_edit, name="edit"),
    path("<int:pk>/refresh/", views_tts.tts_refresh, name="refresh"),
]
