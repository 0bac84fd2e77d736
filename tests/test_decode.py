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
    assert decoded.source == "utf-8"


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
    assert decoded.source == "utf-8"


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
