"""Chinese identifiers: resident ID numbers (GB 11643), phone numbers, licences; masking and
search text with pinyin (``zs`` finds 张三)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_SEPARATORS = re.compile(r"[\s\-－—]+")


def normalise_id_number(value: str) -> str:
    """Upper-case X, full-width digits to ASCII, spaces removed."""
    value = (value or "").translate(str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX"))
    return re.sub(r"\s", "", value).upper()


def validate_id_number(value: str, date_of_birth: date | None = None) -> str:
    """Validate an 18-digit resident ID number (check digit, birth date, region) and return it
    normalised. Raises ValidationError with a message an officer understands."""
    number = normalise_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("A resident ID number has 17 digits and a final digit or X."), code="format"
        )
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The check digit is wrong: please check the number again."), code="checksum"
        )
    try:
        ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("The birth date in this ID number is not a real date."), code="component"
        ) from exc
    if not region_known(number[:6]):
        raise ValidationError(
            _("The region code %(code)s of this ID number does not exist.") % {"code": number[:6]},
            code="region",
        )
    born = ric.get_birth_date(number)
    if born > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID number is in the future."), code="future"
        )
    if date_of_birth is not None and date_of_birth != born:
        raise ValidationError(
            _("The date of birth %(dob)s does not match the ID number (%(id_dob)s).")
            % {"dob": date_of_birth.isoformat(), "id_dob": born.isoformat()},
            code="mismatch",
        )
    return number


def region_known(code: str) -> bool:
    """Is this a GB/T 2260 county code of any period? Numbers keep the code of the place and
    time they were issued (often years after birth), so the period is not checked."""

    return any(props.get("county") for _part, props in numdb.get("cn/loc").info(code))


def birth_date_of(number: str) -> date:
    return ric.get_birth_date(number)


def sex_of(number: str) -> str:
    """GB/T 2261.1 code from the 17th digit: odd male (1), even female (2)."""
    return "1" if int(number[16]) % 2 else "2"


def normalise_phone(value: str) -> str:
    value = _SEPARATORS.sub("", (value or "").strip())
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise ValidationError(
        _("%(phone)s is not a valid phone number (11-digit mobile, or area code and number).")
        % {"phone": value},
        code="phone",
    )


def mask_id_number(number: str) -> str:
    """``110101********123X``: region and the last four kept."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone[:2] + "****"


def pinyin_forms(text: str) -> str:
    """Full pinyin and initials of the Chinese in ``text`` (``张三`` → ``zhangsan zs``)."""
    if not text or not re.search(r"[\u4e00-\u9fff]", text):
        return ""
    syllables = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return f"{''.join(syllables)} {''.join(initials)}"


def looks_like_id_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dXx]", normalise_id_number(text)))


def looks_like_phone(text: str) -> bool:
    phone = normalise_phone(text)
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))
