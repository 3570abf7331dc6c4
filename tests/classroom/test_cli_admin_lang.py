"""`bianque db|admin|user ... --lang zh`: an operator reads what the command itself says in
Chinese (its errors, the option-parsing ones included, still exit 2); without --lang the
English lines a set-up script may match on stay as they were. The other commands:
tests/test_cli_lang.py."""

from __future__ import annotations

import pytest

from tests.test_cli_lang import CJK, said
from training import accounts
from training import db as dbmod

PASSWORD = "a-long-password-1"


def chinese(lines: list[str]) -> str:
    """The lines as one text, after checking that each is in Chinese."""
    assert lines, "a message must be written"
    assert all(CJK.search(line) for line in lines), lines
    assert not any(" error: " in line or "argument " in line for line in lines), lines
    return "\n".join(lines)


def test_an_operator_sets_up_accounts_in_chinese(db_url, monkeypatch, capsys):
    monkeypatch.setenv("BIANQUE_ADMIN_PASSWORD", PASSWORD)
    rc, lines = said(capsys, "db", "upgrade", "--lang", "zh")
    head = dbmod.head_revision()
    assert rc == 0 and chinese(lines).endswith(f"：当前版本 {head}（最新 {head}）")
    rc, lines = said(capsys, "admin", "create", "root-admin", "--lang", "zh")
    assert rc == 0 and chinese(lines) == "已创建管理员账户 root-admin"
    rc, lines = said(capsys, "admin", "create", "root-admin", "--lang", "zh")
    assert rc == 2 and chinese(lines) == "账户“root-admin”已存在，请换一个用户名。"
    monkeypatch.setenv("SHORT", "short")
    rc, lines = said(capsys, "user", "add", "wang", "--password-env", "SHORT", "--lang", "zh")
    assert rc == 2 and "密码太短" in chinese(lines)
    rc, lines = said(capsys, "user", "add", "wang", "--role", "instructor", "--lang", "zh")
    assert rc == 0 and chinese(lines) == "已创建讲师账户 wang"
    rc, lines = said(capsys, "user", "role", "wang", "manager", "--lang", "zh")
    assert rc == 0 and chinese(lines) == "wang 现在是管理者"
    assert accounts.authenticate(None, "wang", PASSWORD).role.value == "manager"
    rc, lines = said(capsys, "user", "role", "wang", "emperor", "--lang", "zh")
    assert rc == 2 and "未知角色“emperor”" in chinese(lines)
    rc, lines = said(capsys, "user", "password", "nobody", "--lang", "zh")
    assert rc == 2 and chinese(lines) == "没有名为“nobody”的账户。"
    rc, lines = said(capsys, "user", "password", "wang", "--lang", "zh")
    assert rc == 0 and chinese(lines).startswith("已为 wang 设置新密码")


def test_without_a_password_source_the_operator_is_told_in_chinese(db_url, monkeypatch,
                                                                   capsys):
    monkeypatch.delenv("BIANQUE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    rc, lines = said(capsys, "admin", "create", "boss", "--lang", "zh")
    assert rc == 2
    assert chinese(lines) == ("没有密码：请设置环境变量 BIANQUE_ADMIN_PASSWORD，"
                              "或在终端中运行本命令以输入密码")


@pytest.mark.parametrize("argv, words", [
    (["user", "add"], "bianque user add：错误：缺少必需的参数：USERNAME"),
    (["user", "role", "wang"], "缺少必需的参数：ROLE"),
    (["db", "backup"], "缺少必需的参数：FILE"),
    (["db", "upgrade", "--bogus"], "无法识别的参数：--bogus"),
    (["db", "upgrade", "--url"], "--url：缺少取值"),
    (["db", "upgrade", "--lang", "xx"], "--lang：取值 'xx' 无效"),
    (["db", "frobnicate"], "bianque db：错误：ACTION：取值 'frobnicate' 无效"),
])
def test_option_errors_are_said_in_chinese(capsys, argv, words):
    rc, lines = said(capsys, *argv, "--lang", "zh")
    assert rc == 2 and words in chinese(lines)


@pytest.mark.parametrize("url, words", [
    ("nonsense://x", "bianque：错误：--url：无法打开 nonsense://x 处的数据库"),
    ("sqlite:////no/such/folder/b.db", "请给出形如 sqlite:////路径/bianque.db"),
])
def test_a_database_that_cannot_be_opened_is_named_in_chinese(capsys, url, words):
    rc, lines = said(capsys, "db", "current", "--url", url, "--lang", "zh")
    assert rc == 2 and words in chinese(lines)


def test_a_backup_is_said_in_chinese(tmp_path, monkeypatch, capsys):
    path = tmp_path / "bianque.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    accounts.create_user(dbmod.get_database(), "wang", PASSWORD)
    try:
        copy = tmp_path / "copy.db"
        rc, lines = said(capsys, "db", "backup", str(copy), "--lang", "zh")
        assert rc == 0
        assert chinese(lines).endswith("：数据库版本 "
                                       f"{dbmod.head_revision()}，1 个账户，0 条练习记录")
        rc, lines = said(capsys, "db", "backup", str(copy), "--lang", "zh")
        assert rc == 2 and "已存在：请换一个新文件名，或加上 --force 覆盖它" in chinese(lines)
        rc, lines = said(capsys, "db", "backup", str(path), "--lang", "zh")
        assert rc == 2 and "就是数据库本身" in chinese(lines)
        rc, lines = said(capsys, "db", "backup", str(tmp_path / "no" / "c.db"), "--lang", "zh")
        assert rc == 2 and f"文件夹 {tmp_path / 'no'} 不存在" in chinese(lines)
        rc, lines = said(capsys, "db", "backup", "b.dump", "--url", "postgresql://u:pw@h/b",
                         "--lang", "zh")
        assert rc == 2 and "是 postgresql 数据库：请用它自己的工具备份" in chinese(lines)
        assert "pw" not in "\n".join(lines)
    finally:
        dbmod.forget_databases()


def test_english_stays_as_it_was(db_url, monkeypatch, capsys):
    monkeypatch.setenv("BIANQUE_ADMIN_PASSWORD", PASSWORD)
    head = dbmod.head_revision()
    assert said(capsys, "db", "upgrade")[1][-1].endswith(f": at revision {head} (head {head})")
    assert said(capsys, "admin", "create", "root-admin") == (0, ["created admin root-admin"])
    # a second admin, so that the first may step down (the last admin may not)
    assert said(capsys, "admin", "create", "ada")[0] == 0
    assert said(capsys, "user", "role", "root-admin", "manager") == (
        0, ["root-admin is now manager"])
    rc, lines = said(capsys, "user", "add")
    assert rc == 2 and lines == [
        "bianque user add: error: the following arguments are required: USERNAME"]
    rc, lines = said(capsys, "db", "current", "--url", "nonsense://x")
    assert rc == 2 and lines[0].startswith(
        "bianque: error: --url: cannot open the database at nonsense://x")
    assert not any(CJK.search(line) for line in lines)
