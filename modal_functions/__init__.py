"""The Modal app deployed to GPUs for 3D product captures (COLMAP, nerfstudio train, render)."""
