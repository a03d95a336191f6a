#!/usr/bin/env python3
"""Independent Python reference of HF BertTokenizer (bert-base-uncased: do_lower_case=True,
tokenize_chinese_chars=True, strip_accents following lower-casing), written from the documented logic of HF's
BasicTokenizer and WordpieceTokenizer (no transformers install: there is no PyPI here).

Writes the golden fixture tests/MotionWorkbench.Text.Tests/Fixtures/tokenizer_golden.json: for each sentence its
word pieces and its ids ([CLS] ... [SEP]). Run from the repository root with the system Python:

  /usr/bin/python3 environment/reference/tokenizer_reference.py ../shared/data/vocab/bert-base-uncased-vocab.txt \
      ../shared/data/kitml-annotations/annotations.json > tests/MotionWorkbench.Text.Tests/Fixtures/tokenizer_golden.json
"""
import json
import sys
import unicodedata

SPECIAL = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"]
MAX_CHARS_PER_WORD = 100


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        for index, line in enumerate(f):
            vocab[line.rstrip("\n")] = index
    return vocab


def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


CJK_RANGES = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
              (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def is_cjk(cp):
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def basic_tokenize(text):
    cleaned = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        if is_whitespace(ch):
            cleaned.append(" ")
        elif is_cjk(cp):
            cleaned.extend([" ", ch, " "])
        else:
            cleaned.append(ch)
    words = "".join(cleaned).split()
    out = []
    for word in words:
        word = word.lower()
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if is_punctuation(ch):
                if current:
                    out.append(current)
                    current = ""
                out.append(ch)
            else:
                current += ch
        if current:
            out.append(current)
    return out


def wordpiece(word, vocab):
    if len(word) > MAX_CHARS_PER_WORD:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end]
            if start > 0:
                sub = "##" + sub
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def split_special(text):
    segments, pos = [], 0
    while pos < len(text):
        best, match = -1, None
        for s in SPECIAL:
            at = text.find(s, pos)
            if at >= 0 and (best < 0 or at < best or (at == best and len(s) > len(match))):
                best, match = at, s
        if match is None:
            segments.append((text[pos:], False))
            break
        if best > pos:
            segments.append((text[pos:best], False))
        segments.append((match, True))
        pos = best + len(match)
    return segments


def tokenize(text, vocab):
    out = []
    for seg, special in split_special(text):
        if special:
            out.append(seg)
        else:
            for w in basic_tokenize(seg):
                out.extend(wordpiece(w, vocab))
    return out


def encode(text, vocab, max_length=512):
    pieces = tokenize(text, vocab)[: max_length - 2]
    return [vocab["[CLS]"]] + [vocab.get(p, vocab["[UNK]"]) for p in pieces] + [vocab["[SEP]"]]


def sentences(annotations_path):
    with open(annotations_path, encoding="utf-8") as f:
        ann = json.load(f)
    kit = [ann[k]["annotations"][0]["text"] for k in sorted(ann) if ann[k]["annotations"]][:8]
    kit += ["A person walks a circle, radius approximatly 1,5 m",
            "A person walks a full counter-clockwise circle.",
            "The human walks a circle (right turn)"]
    return kit + [
        "a man kicks something or someone with his left leg.",  # HumanML3D texts/000000.txt, caption 1
        "the standing person kicks with their left foot before going back to their original stance.",
        "A person doesn't stop; they're jumping!!! Isn't it odd?",
        "He said: \"walk 3.5 m, then turn 90° left\" (twice) -- ok?",
        "Café, naïve résumé, Ångström, Ñandú, crème brûlée",
        "İstanbul ΟΔΟΣ Σ straße ǅemal",
        "walks 12345 steps in 2024 at 7:30pm, 100% sure #1 @home",
        "the person's left-hand wave & right-hand salute",
        "中国人 walks 走路 with 日本語 and 한국어 text",
        "a person dances 😀💃 with joy ✨",
        "tab\there\nnew line\r\nand\u00a0nbsp\u3000ideographic space",
        "nul\x00char, bell\x07, zero\u200bwidth, bom\ufeff, replacement\ufffd end",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "x" * 101 + " " + "y" * 100,
        "qwxzptk blorfengrad zzyzx",
        "",
        "   ",
        "[CLS] a person [MASK] forward [SEP] and [unk] [PAD]",
        "a person walks forward, turns around, and walks back.",
        "someone jumps over an obstacle_with underscores and ~tildes~ {braces} [brackets] |pipes|",
        "“curly quotes” ‘single’ – en dash — em dash … ellipsis",
        "ＦＵＬＬＷＩＤＴＨ letters and ﬁ ligature",
        "a person\u2028line separator\u2029paragraph",
        "newer unicode \U00031350 and \u1b4e are unassigned in python 3.11 \U0001fae8 too",
    ]


def main():
    vocab_path, ann_path = sys.argv[1], sys.argv[2]
    vocab = load_vocab(vocab_path)
    cases = []
    for text in sentences(ann_path):
        cases.append({"text": text, "tokens": tokenize(text, vocab), "ids": encode(text, vocab)})
    long_text = " ".join(["walking"] * 600)
    cases.append({"text": long_text, "tokens": tokenize(long_text, vocab)[:510], "ids": encode(long_text, vocab)})
    doc = {
        "generator": "environment/reference/tokenizer_reference.py",
        "python": sys.version.split()[0],
        "unicodedata": unicodedata.unidata_version,
        "vocab": "bert-base-uncased-vocab.txt (30522 lines)",
        "format_version": 1,
        "max_length": 512,
        "cases": cases,
    }
    json.dump(doc, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
