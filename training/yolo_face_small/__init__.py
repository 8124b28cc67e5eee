"""yolo-face-small: a small-face YOLO trained by Loupe (see models/yolo-face-small/README.md)."""
