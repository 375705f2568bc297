"""Known-answer and tamper tests of both algorithm suites (SECURITY.md D2, D3)."""

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from casebook.crypto.exceptions import DecryptionError
from casebook.crypto.profiles import current_profile, get_profile

h = bytes.fromhex

# McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, with AAD).
GCM16 = {
    "key": h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
    "nonce": h("cafebabefacedbaddecaf888"),
    "aad": h("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
    "plaintext": h(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
    ),
    "ciphertext": h(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
    ),
    "tag": h("76fc6ece0f4e1768cddf8853bb2d551b"),
}

# RFC 8998, Appendix A.1 (SM4-GCM).
SM4_GCM = {
    "key": h("0123456789ABCDEFFEDCBA9876543210"),
    "nonce": h("00001234567800000000ABCD"),
    "aad": h("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"),
    "plaintext": h(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    ),
    "ciphertext": h(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    ),
    "tag": h("83DE3541E4C2B58177E065A9BF7B62EC"),
}


def test_aes_256_gcm_known_answer():
    v = GCM16
    expected = v["ciphertext"] + v["tag"]
    # The library's raw primitive agrees with the published vector…
    assert AESGCM(v["key"]).encrypt(v["nonce"], v["plaintext"], v["aad"]) == expected
    # …and so does our profile, both ways (blob = nonce || ciphertext || tag).
    intl = get_profile("intl")
    assert intl.gcm_encrypt_with_nonce(v["key"], v["nonce"], v["plaintext"], v["aad"]) == expected
    assert intl.decrypt(v["key"], v["nonce"] + expected, v["aad"]) == v["plaintext"]


def test_sm4_gcm_known_answer():
    v = SM4_GCM
    encryptor = Cipher(algorithms.SM4(v["key"]), modes.GCM(v["nonce"])).encryptor()
    encryptor.authenticate_additional_data(v["aad"])
    raw = encryptor.update(v["plaintext"]) + encryptor.finalize()
    assert (raw, encryptor.tag) == (v["ciphertext"], v["tag"])

    sm = get_profile("sm")
    expected = v["ciphertext"] + v["tag"]
    assert sm.gcm_encrypt_with_nonce(v["key"], v["nonce"], v["plaintext"], v["aad"]) == expected
    assert sm.decrypt(v["key"], v["nonce"] + expected, v["aad"]) == v["plaintext"]


def test_hash_known_answers():
    assert get_profile("sm").digest(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 A.1
    )
    assert get_profile("intl").digest(b"abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2
    )


def test_hmac_and_hkdf_known_answers():
    intl = get_profile("intl")
    assert intl.mac(b"Jefe", b"what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"  # RFC 4231 case 2
    )
    assert intl.derive(b"\x0b" * 22, b"", 42).hex() == (  # RFC 5869 case 3 (no salt, no info)
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_hmac_sm3_is_the_library_primitive():
    reference = hmac.HMAC(b"k" * 16, hashes.SM3())
    reference.update(b"data")
    assert get_profile("sm").mac(b"k" * 16, b"data") == reference.finalize()
    assert len(get_profile("sm").derive(b"m" * 32, b"casebook-kek-v1", 16)) == 16


@pytest.fixture(params=["intl", "sm"])
def profile(request):
    return get_profile(request.param)


def test_round_trip_with_fresh_nonces(profile):
    key = b"\x01" * profile.key_length
    first = profile.encrypt(key, "张三 110105".encode(), b"ctx")
    second = profile.encrypt(key, "张三 110105".encode(), b"ctx")
    assert first != second and first[:12] != second[:12]
    assert len(first) == 12 + len("张三 110105".encode()) + 16
    assert profile.decrypt(key, first, b"ctx").decode() == "张三 110105"


@pytest.mark.parametrize(
    "position", [0, 11, 12, -17, -1], ids=["nonce", "nonce-end", "ciphertext", "ct-end", "tag"]
)
def test_flipped_bit_is_refused(profile, position):
    key = b"\x02" * profile.key_length
    blob = bytearray(profile.encrypt(key, b"secret value", b"aad"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        profile.decrypt(key, bytes(blob), b"aad")


def test_wrong_aad_key_or_length_is_refused(profile):
    key = b"\x03" * profile.key_length
    blob = profile.encrypt(key, b"secret value", b"aad")
    for bad_key, bad_blob, bad_aad in [
        (key, blob, b"aae"),
        (b"\x04" * profile.key_length, blob, b"aad"),
        (key[:-1], blob, b"aad"),
        (key, blob[:27], b"aad"),
        (key, blob[:-1], b"aad"),
    ]:
        with pytest.raises(DecryptionError):
            profile.decrypt(bad_key, bad_blob, bad_aad)


def test_encrypt_refuses_a_key_of_the_wrong_size(profile):
    with pytest.raises(ValueError):
        profile.encrypt(b"\x00" * (profile.key_length + 1), b"x", b"")


def test_profile_selection(settings):
    assert (get_profile("intl").key_length, get_profile("sm").key_length) == (32, 16)
    settings.CASEBOOK_CRYPTO_PROFILE = "sm"
    assert current_profile().name == "sm"
    with pytest.raises(ImproperlyConfigured):
        get_profile("des")
