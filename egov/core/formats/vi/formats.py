"""How Vietnamese pages write dates and times: 16/11/2026, 08:30 16/11/2026 (as the forms of
TT 01/2018 and the site's own pages do), never the ISO 2026-11-16 of machines.

Whatever is not set here (decimal separator, thousands separator) is Django's for "vi". The
display formats use Django's date format syntax, the input formats Python's strftime syntax.
"""

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
YEAR_MONTH_FORMAT = r"\T\há\n\g m/Y"
MONTH_DAY_FORMAT = "d/m"
FIRST_DAY_OF_WEEK = 1  # Monday

# What a form accepts. ISO comes first: it is what an <input type="date"> sends and shows,
# and a widget writes its value in the first format. Then the day before the month, as people
# here write dates: 05/03/2026 is the 5th of March, never the American May 3rd of Django's
# default list.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%H:%M %d/%m/%Y",
]
