import pytest

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform.validation import check_vin, normalize_mobile, normalize_plate, plate_query


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("粤B12345", "粤B12345"),
        ("粤b 12345", "粤B12345"),
        ("京A·8K2M6", "京A8K2M6"),
        ("沪AD12345", "沪AD12345"),  # new-energy small car
        ("粤BF1234 5", "粤BF12345"),
        ("粤B12345D", "粤B12345D"),  # new-energy large vehicle
        ("粤B1234学", "粤B1234学"),
        ("苏A1234挂", "苏A1234挂"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("京A1234警", "京A1234警"),
        ("粤Ｂ１２３４５", "粤B12345"),  # full-width input from a Chinese IME
    ],
)
def test_valid_plates_are_normalised(typed, plate):
    assert normalize_plate(typed) == plate


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请输入车牌号"),
        ("B12345", "省份简称"),
        ("粤B1234", "7位"),
        ("粤B1234567", "7位"),
        ("粤B1234O", "不含I和O"),
        ("粤I12345", "格式不正确"),
        ("粤B1234京", "格式不正确"),
        ("粤BX12345", "格式不正确"),  # 8 characters but not a new-energy serial
    ],
)
def test_bad_plates_are_refused_with_a_message(typed, message):
    with pytest.raises(DomainError) as caught:
        normalize_plate(typed)
    assert message in caught.value.message
    assert caught.value.field == "plate"


def test_plate_query_keeps_fragments():
    assert plate_query(" k2m6 ") == "K2M6"


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+8619912345678", "15012345678"])
def test_valid_mobiles(typed):
    assert len(normalize_mobile(typed)) == 11


@pytest.mark.parametrize("typed", ["", "12800138000", "1380013800", "138001380001", "2380013800a"])
def test_bad_mobiles(typed):
    with pytest.raises(DomainError) as caught:
        normalize_mobile(typed)
    assert caught.value.field == "mobile"


def test_vin_with_correct_check_digit_passes_without_warning():
    result = check_vin("1m8gdm9axkp042788")
    assert result.vin == "1M8GDM9AXKP042788"
    assert result.check_digit_ok and result.warning is None


def test_vin_check_digit_mismatch_is_only_a_warning():
    result = check_vin("LSVAU2180N2183927")
    assert not result.check_digit_ok
    assert "校验位" in result.warning


@pytest.mark.parametrize(
    ("typed", "message"),
    [("LSVAU2180N218392", "17位"), ("LSVAU2180N2183927X", "17位"), ("LSVAU2I80N2183927", "I、O、Q"),
     ("LSVAU2Q80N2183927", "I、O、Q")],
)
def test_bad_vins_are_refused(typed, message):
    with pytest.raises(DomainError) as caught:
        check_vin(typed)
    assert message in caught.value.message
