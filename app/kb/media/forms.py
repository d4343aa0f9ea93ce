"""The staff page's upload form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class VideoUploadForm(FlaskForm):
    video = FileField(
        "Video file",
        validators=[FileRequired("Choose a video file to upload.")],
        description="MP4, MOV, WebM or MKV. It is checked, converted for the web and gets a "
        "poster; the article keeps its current video until the new one is ready.",
    )
    upload = SubmitField("Upload video")
