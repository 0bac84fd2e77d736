from newsetl.page.decode import decode

WESTERN = ("Caf\u00e9 \u201cna\u00efve\u201d \u2013 d\u00e9j\u00e0 vu\u2019s fa\u00e7ade, "
           "said Ram\u00edrez.")


def test_undeclared_windows_1252_is_not_mojibake():
    decoded = decode(WESTERN.encode("cp1252"))
    assert decoded.text == WESTERN
    assert (decoded.encoding, decoded.source) == ("cp1252", "detector")


def test_utf8_wins_over_a_wrong_single_byte_declaration():
    decoded = decode(WESTERN.encode("utf-8"), http_charset="iso-8859-1")
    assert decoded.text == WESTERN
    # The source says which declaration the bytes overrode.
    assert (decoded.encoding, decoded.source) == ("utf-8", "utf-8 over http")


def test_bom_beats_everything():
    decoded = decode(b"\xef\xbb\xbf" + WESTERN.encode("utf-8"), http_charset="cp1251")
    assert (decoded.text, decoded.source) == (WESTERN, "bom")


def test_meta_charset_is_used_for_html():
    html = '<html><head><meta charset="windows-1252"></head><body>' + WESTERN + "</body></html>"
    decoded = decode(html.encode("cp1252"), html=True)
    assert WESTERN in decoded.text
    assert decoded.source == "meta"


def test_latin1_label_decodes_as_windows_1252_like_browsers():
    decoded = decode("\u201cquoted\u201d".encode("cp1252"), http_charset="ISO-8859-1")
    assert decoded.text == "\u201cquoted\u201d"


def test_shift_jis_is_detected():
    text = "\u3053\u308c\u306f\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059\u3002"
    assert decode(text.encode("shift_jis")).text == text


JAPANESE = ("\u3053\u308c\u306f\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059\u3002"
            "\u6771\u4eac\u306e\u5929\u6c17\u306f\u6674\u308c\u3002")


def test_declared_shift_jis_page_is_decoded_with_its_superset():
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' \
           f"</head><body>{JAPANESE}</body></html>"
    decoded = decode(html.encode("cp932"), html=True)
    assert JAPANESE in decoded.text
    assert (decoded.encoding, decoded.source) == ("cp932", "meta")


def test_iso_8859_1_declared_by_http_is_read_as_windows_1252():
    decoded = decode(WESTERN.encode("cp1252"), http_charset="ISO-8859-1")
    assert decoded.text == WESTERN
    assert (decoded.encoding, decoded.source) == ("cp1252", "http")


def test_utf8_page_declaring_shift_jis_is_not_mojibake():
    html = f'<html><head><meta charset="shift_jis"></head><body>{WESTERN} {JAPANESE}</body></html>'
    decoded = decode(html.encode("utf-8"), html=True)
    assert WESTERN in decoded.text and JAPANESE in decoded.text
    assert decoded.source == "utf-8 over meta"


def test_undeclared_utf8_is_recognised():
    decoded = decode(f"<p>{WESTERN}</p>".encode(), html=True)
    assert (decoded.encoding, decoded.source) == ("utf-8", "utf-8")


def test_http_charset_beats_meta_when_both_decode():
    html = '<html><head><meta charset="utf-8"></head><body>' + WESTERN + "</body></html>"
    decoded = decode(html.encode("cp1252"), http_charset="windows-1252", html=True)
    assert WESTERN in decoded.text
    assert decoded.source == "http"


def test_unknown_labels_are_skipped():
    decoded = decode(WESTERN.encode("utf-8"), http_charset="x-no-such-charset")
    assert (decoded.text, decoded.source) == (WESTERN, "utf-8")


def test_undecodable_bytes_never_raise():
    decoded = decode(bytes(range(256)) * 4, html=True)
    assert decoded.text and decoded.source in ("detector", "fallback")


def test_meta_declaring_utf16_is_read_as_utf8_like_browsers():
    html = '<html><head><meta charset="utf-16"></head><body>plain ascii text</body></html>'
    decoded = decode(html.encode("ascii"), html=True)
    assert "plain ascii text" in decoded.text
    assert decoded.encoding == "utf-8"


POLISH = ("Sprzeciw wobec atak\u00f3w na Fundacj\u0119 Lux Veritatis. "
          "Rada Programowa wyra\u017ca zaniepokojenie, \u017ce \u015bwiadkowie "
          "s\u0105 zastraszani; \u0142\u0105cznie prze\u015bladowania trwaj\u0105. ")


def _polish_page(meta: str) -> bytes:
    """A UTF-8 page, long enough to look real, with one invalid byte deep inside."""
    head = f'<html><head><meta charset="{meta}"><title>Sprzeciw</title></head><body>'.encode()
    body = (f"<p>{POLISH}</p>" * 20).encode("utf-8")
    # A stray Windows-1252 "\u00e9" (0xE9 then an ASCII byte: never valid UTF-8).
    return head + body + b"<p>caf\xe9 au lait</p>" + body + b"</body></html>"


def test_declared_utf8_with_one_bad_byte_is_utf8_with_that_byte_replaced():
    decoded = decode(_polish_page("utf-8"), html=True)
    assert (decoded.encoding, decoded.source) == ("utf-8", "meta")
    assert "atak\u00f3w" in decoded.text and "Ã" not in decoded.text
    assert "caf\ufffd au lait" in decoded.text


def test_http_declared_utf8_with_one_bad_byte_keeps_the_declaration():
    decoded = decode(_polish_page("utf-8"), http_charset="UTF-8", html=True)
    assert (decoded.encoding, decoded.source) == ("utf-8", "http")
    assert decoded.text.count("\ufffd") == 1


def test_page_declaring_utf8_but_written_in_windows_1252_goes_to_the_detector():
    html = '<html><head><meta charset="utf-8"></head><body><p>' + WESTERN * 5 + "</p></body></html>"
    decoded = decode(html.encode("cp1252"), html=True)
    # No well-formed UTF-8 at all: the declaration is refused (which single-byte page the
    # detector then picks is its own business), and the source says so.
    assert decoded.source == "detector over meta" and decoded.encoding != "utf-8"
    assert "\ufffd" not in decoded.text and "Caf\u00e9 \u201c" in decoded.text


def test_utf8_with_a_bad_byte_overrides_a_single_byte_declaration_and_says_so():
    decoded = decode(_polish_page("iso-8859-2"), html=True)
    assert (decoded.encoding, decoded.source) == ("utf-8", "utf-8 over meta")
    assert "atak\u00f3w" in decoded.text


def test_a_true_single_byte_page_keeps_its_declaration():
    text = "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144. " * 10
    html = f'<html><head><meta charset="iso-8859-2"></head><body><p>{text}</p></body></html>'
    decoded = decode(html.encode("iso-8859-2"), html=True)
    assert (decoded.encoding, decoded.source) == ("iso8859-2", "meta")
    assert text in decoded.text


def test_ascii_page_declaring_a_single_byte_charset_keeps_it():
    page = b'<html><head><meta charset="windows-1252"></head><p>plain</p></html>'
    decoded = decode(page, html=True)
    assert (decoded.encoding, decoded.source) == ("cp1252", "meta")
