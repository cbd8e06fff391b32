"""Our date and time formats per language (settings.FORMAT_MODULE_PATH): Django's own for
Vietnamese write "Ngày 16 tháng 11 năm 2026" and "16-11-2026"; the site writes 16/11/2026."""
