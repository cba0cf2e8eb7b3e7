"""Small widgets of the LaunchReady app (status badges, check rows, step view, ...)."""
