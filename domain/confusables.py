"""Characters that look like a Latin letter or digit, by what they look like (``similarity_key``).

Generated once from Unicode's ``confusables.txt`` (UTS #39, as shipped by the
``confusable-homoglyphs`` 3.3.1 package, MIT; the data is under the Unicode licence): every
single code point confusable with an ASCII letter or digit, in either case, that NFKC and
``casefold`` do not already turn into that letter, mapped to the lower-case letter (``0`` to
``o``, ``1`` to ``l``, as UTS #39's prototypes have them). 594 characters: Cyrillic, Greek,
Armenian, Cherokee, Coptic, Lisu and other look-alikes. Multi-character look-alikes (``rn`` for
``m``) are not covered: a key that folded them would also merge honest names.
"""

from __future__ import annotations

from typing import Final

_BY_PROTOTYPE: Final[dict[str, str]] = {
    "2": "Ƨƨ\u03e8\u03e9\u14bf\ua644\ua645\ua6ef\ua75a\ua75b",
    "3": "ƷȜȝɜʒЗзӠӡ\u2ccc\u2ccd\ua76a\ua76b\ua7ab\U000118ca\U00016f3b\U0001d206",
    "4": "\u13ce\U000118af\U000118cf",
    "5": "Ƽ\U000118bb\U000118db",
    "6": "б\u13ee\u2cd2\u2cd3",
    "7": "\U000104d2\U000104fa\U0001d212",
    "8": "Ȣȣ\u09ea\u0a6a\u0b03\U0001031a",
    "9": "\u09ed\u0a67\u0b68\u0d6d\u2cca\u2ccb\ua76e\ua76f\U000118ac\U000118cc\U000118d6",
    "a": (
        "ɑΑαАа\u13aa\u15c5\u237a\ua4ee\U000102a0\U00016f40\U0001d6a8\U0001d6c2\U0001d6e2"
        "\U0001d6fc\U0001d71c\U0001d736\U0001d756\U0001d770\U0001d790\U0001d7aa"
    ),
    "b": (
        "ƄƅΒβВЬвь\u13cf\u13f4\u1472\u15af\u15f7\ua4d0\ua7b4\ua7b5\U00010282\U000102a1"
        "\U00010301\U0001d6a9\U0001d6e3\U0001d71d\U0001d757\U0001d791"
    ),
    "c": (
        "ϲϹСс\u13dfᴄ\u2ca4\u2ca5\ua4da\uabaf\U000102a2\U00010302\U00010415\U0001043d"
        "\U0001051c\U000118e9\U000118f2\U0001f74c"
    ),
    "d": "ԁ\u13a0\u13e7\u146f\u15de\u15ea\ua4d2\ua4d3",
    "e": (
        "ΕεЕеҽ\u13ac\u212e\u22ff\u2d39\ua4f0\uab32\U00010286\U000118a6\U000118ae"
        "\U000118c6\U000118ce\U0001d6ac\U0001d6e6\U0001d720\U0001d75a\U0001d794"
    ),
    "f": (
        "Ϝϝք\u15b4ẝ\ua4dd\ua798\ua799\uab35\U00010287\U000102a5\U00010525\U000118a2"
        "\U000118c2\U0001d213\U0001d7ca"
    ),
    "g": "ƍɡԌԍց\u13c0\u13f3ᶃ\ua4d6",
    "h": (
        "ΗηНнһհ\u13bb\u13c2\u157c\u2c8e\u2c8f\ua4e7\U000102cf\U0001d6ae\U0001d6e8"
        "\U0001d722\U0001d75c\U0001d796"
    ),
    "i": (
        "ıɩɪ\u02db\u037aιіӏ\u13a5ι\u2373\ua647\uab75\U000118c3\U0001d6a4\U0001d6ca"
        "\U0001d704\U0001d73e\U0001d778\U0001d7b2"
    ),
    "j": "ʝͿϳЈј\u13ab\u148d\ua4d9\ua7b2",
    "k": (
        "ΚκКк\u13e6\u16d5\u2c94\u2c95\ua4d7\U00010518\U0001d6b1\U0001d6eb\U0001d725"
        "\U0001d75f\U0001d799"
    ),
    "l": (
        "ƖǀΙІӀ\u06f1\u13de\u14aa\u16c1\u2223\u23fd\u2c92\u2c93\u2cd0\u2cd1\u2d4f\ua4e1"
        "\ua4f2\uffe8\U0001028a\U00010309\U00010320\U0001041b\U00010443\U00010526"
        "\U000118a3\U000118b2\U000118d2\U00016f16\U00016f28\U0001d22a\U0001d6b0\U0001d6ea"
        "\U0001d724\U0001d75e\U0001d798"
    ),
    "m": (
        "ΜμϺϻМм\u13b7\u15f0\u16d6\u2c98\u2c99\ua4df\U000102b0\U00010311\U0001d6b3"
        "\U0001d6ed\U0001d727\U0001d761\U0001d79b"
    ),
    "n": ("Ννոռ\u2c9a\u2c9b\ua4e0\U00010513\U0001d6b4\U0001d6ee\U0001d728\U0001d762\U0001d79c"),
    "o": (
        "ΟοσОоՕօ\u06f5\u0966\u09e6\u0a66\u0ae6\u0b20\u0b66\u0be6\u0c02\u0c66\u0c82\u0ce6"
        "\u0d02\u0d20\u0d66\u0d82\u0e50\u0ed0\u101d\u1040\u10ff\u12d0ᴏᴑ\u2c9e\u2c9f\u2d54"
        "\u3007\ua4f3\uab3d\U00010292\U000102ab\U00010404\U0001042c\U000104c2\U000104ea"
        "\U00010516\U000114d0\U000118b5\U000118c8\U000118d5\U000118d7\U000118e0\U0001d6b6"
        "\U0001d6d0\U0001d6d4\U0001d6f0\U0001d70a\U0001d70e\U0001d72a\U0001d744\U0001d748"
        "\U0001d764\U0001d77e\U0001d782\U0001d79e\U0001d7b8\U0001d7bc"
    ),
    "p": (
        "ΡρϱРр\u13e2\u146d\u2374\u2ca2\u2ca3\ua4d1\U00010295\U0001d6b8\U0001d6d2"
        "\U0001d6e0\U0001d6f2\U0001d70c\U0001d71a\U0001d72c\U0001d746\U0001d754\U0001d766"
        "\U0001d780\U0001d78e\U0001d7a0\U0001d7ba\U0001d7c8"
    ),
    "q": "ԛգզ\u2d55",
    "r": (
        "Ʀʀг\u13a1\u13b1\u13d2\u1587ᴦ\u2c85\ua4e3\uab47\uab48\uab81\U000104b4\U000104dc"
        "\U00016f35\U0001d216"
    ),
    "s": ("ƽЅѕՏտ\u13d5\u13da\ua4e2\ua731\uabaa\U00010296\U00010420\U00010448\U000118c1\U00016f3a"),
    "t": (
        "ΤτТт\u13a2\u22a4\u27d9\u2ca6\u2ca7\ua4d4\U00010297\U000102b1\U00010315\U000118bc"
        "\U000118dc\U00016f0a\U0001d6bb\U0001d6f5\U0001d72f\U0001d769\U0001d7a3\U0001f768"
    ),
    "u": (
        "ʋυՍս\u1200\u144cᴜ\u222a\u22c3\ua4f4\ua79f\uab4e\uab52\U000104ce\U000104f6"
        "\U000118b8\U000118d8\U00016f42\U0001d6d6\U0001d710\U0001d74a\U0001d784\U0001d7be"
    ),
    "v": (
        "Ѵѵ\u06f7\u13d9\u142fᴠ\u2228\u22c1\u2d38\ua4e6\ua6df\uaba9\U0001051d\U00011706"
        "\U000118a0\U000118c0\U00016f08\U0001d20d\U0001d6ce\U0001d708\U0001d742\U0001d77c"
        "\U0001d7b6"
    ),
    "w": "ɯѡԜԝա\u13b3\u13d4ᴡ\ua4ea\uab83\U0001170a\U0001170e\U0001170f\U000118e6\U000118ef",
    "x": (
        "\u00d7ΧχХх\u1541\u157d\u166d\u166e\u16b7\u2573\u292b\u292c\u2a2f\u2cac\u2cad"
        "\u2d5d\ua4eb\ua7b3\uab53\U00010290\U000102b4\U00010317\U00010322\U00010527"
        "\U000118ec\U0001d6be\U0001d6f8\U0001d732\U0001d76c\U0001d7a6"
    ),
    "y": (
        "ɣʏΥγϒУуҮү\u10e7\u13a9\u13bdᶌỿ\u213d\u2ca8\u2ca9\ua4ec\uab5a\U000102b2\U000118a4"
        "\U000118c4\U00016f43\U0001d6bc\U0001d6c4\U0001d6f6\U0001d6fe\U0001d730\U0001d738"
        "\U0001d76a\U0001d772\U0001d7a4\U0001d7ac"
    ),
    "z": (
        "Ζζ\u13c3ᴢ\ua4dc\uab93\U000102f5\U000118a9\U000118c9\U000118e5\U0001d6ad"
        "\U0001d6e7\U0001d721\U0001d75b\U0001d795"
    ),
}

#: code point -> the ASCII letter or digit it looks like (for ``str.translate``).
LOOKALIKES: Final[dict[int, str]] = {
    ord(char): prototype for prototype, chars in _BY_PROTOTYPE.items() for char in chars
}
