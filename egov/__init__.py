"""MotCua: an open e-Government platform for Vietnamese provinces."""
