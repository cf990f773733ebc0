"""The quality profile tests run with: tiny frames keep every image, clip and film fast."""

SMALL_FRAMES = {
    "image_steps": 4,
    "frame_size": (64, 112),
    "images_per_mood": 1,
    "chat_model": "gpt-4o-mini",
    "fps": 8,
    "nerf_gpu": "T4",
}
