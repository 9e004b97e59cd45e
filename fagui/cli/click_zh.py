"""Chinese for click's own words: usage errors, the help page's headings, the help option.

click writes "Usage: ... Error: No such option ..." in English. The fagui commands are built from `ChineseGroup` and
`ChineseCommand`: any click error raised while parsing or running one of them is replaced by one that shows itself
in Chinese (the usage line is kept, "Error:" becomes "错误：", the exit status is unchanged: 2 for a usage error).
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager

import click
from click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchCommand,
    NoSuchOption,
)

from fagui.errors import FaguiError

HELP_TEXT = "显示本帮助并退出"

_PATH_KIND = {"File": "文件", "Directory": "目录", "Path": "路径"}
_PATH_PROBLEM = {
    "does not exist": "不存在", "is a file": "是文件，不是目录", "is a directory": "是目录，不是文件",
    "is not readable": "不可读", "is not writable": "不可写", "is not executable": "不可执行",
}
_NUMBER = {"integer": "整数", "float": "数字", "boolean": "布尔值（true/false）", "UUID": "UUID"}
_QUOTED = r"(?P<q>['\"])(?P<value>.*)(?P=q)"
_VALUE_PATTERNS: list[tuple[re.Pattern[str], t.Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"^(?P<kind>File|Directory|Path) {_QUOTED} (?P<problem>{'|'.join(_PATH_PROBLEM)})\.$"),
     lambda m: f"{_PATH_KIND[m['kind']]}“{m['value']}”{_PATH_PROBLEM[m['problem']]}"),
    (re.compile(rf"^{_QUOTED} is not a valid (?P<type>integer|float|boolean|UUID)\b.*$", re.S),
     lambda m: f"“{m['value']}”不是有效的{_NUMBER[m['type']]}"),
    (re.compile(rf"^{_QUOTED} is not (?:one of )?(?P<choices>.*)\.$"),
     lambda m: f"“{m['value']}”不是可选的值，可选：{_choices(m['choices'])}"),
    (re.compile(r"^(?P<value>.*) is not in the range (?P<range>.*)\.$"),
     lambda m: f"{m['value']} 超出范围（{m['range']}）"),
    (re.compile(rf"^{_QUOTED} does not match the formats? (?P<formats>.*)\.$"),
     lambda m: f"“{m['value']}”不符合格式 {m['formats']}"),
]


def _choices(text: str) -> str:
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def value_message(message: str) -> str:
    """click's English reason why a value is invalid, in Chinese (a message already in Chinese is kept)."""
    for pattern, render in _VALUE_PATTERNS:
        match = pattern.match(message.strip())
        if match:
            return render(match)
    return message


def _hint(exc: BadParameter) -> tuple[str, str]:
    """('参数' or '选项', the parameter's name as typed) for an error about one parameter."""
    if exc.param_hint is not None:
        names = [exc.param_hint] if isinstance(exc.param_hint, str) else list(exc.param_hint)
    elif exc.param is not None:
        names = list(exc.param.opts) if isinstance(exc.param, click.Option) else [exc.param.make_metavar(exc.ctx)
                                                                                     if exc.ctx else exc.param.name]
    else:
        return "", ""
    names = [n.strip("'\"") for n in names]
    kind = exc.param.param_type_name if exc.param is not None else ("option" if names[0].startswith("-") else "")
    return {"option": "选项", "argument": "参数"}.get(kind, "参数"), " / ".join(names)


def _missing(exc: MissingParameter) -> str:
    kind, name = _hint(exc)
    if exc.param_type == "option":
        kind = "选项"
    text = f"缺少{kind} {name}".rstrip() if name else "缺少参数"
    if exc.param is not None and isinstance(exc.param.type, click.Choice):
        text += "，可选：" + "、".join(map(str, exc.param.type.choices))
    return text


def usage_message(exc: click.UsageError) -> str:
    """The Chinese text of a usage error (the part after "错误：")."""
    if isinstance(exc, NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        return text + (f"（是不是要用 {' 或 '.join(exc.possibilities)}？）" if exc.possibilities else "")
    if isinstance(exc, NoSuchCommand):
        text = f"没有这个命令：{exc.command_name}"
        return text + (f"（是不是要用 {' 或 '.join(exc.possibilities)}？）" if exc.possibilities else "")
    if isinstance(exc, MissingParameter):
        return _missing(exc)
    if isinstance(exc, BadParameter):
        kind, name = _hint(exc)
        return f"{kind} {name} 的值无效：{value_message(exc.message)}" if name else f"值无效：{value_message(exc.message)}"
    if isinstance(exc, BadOptionUsage):
        if exc.message.endswith("requires an argument."):
            return f"选项 {exc.option_name} 后面需要一个值"
        if exc.message.endswith("does not take a value."):
            return f"选项 {exc.option_name} 不接受值"
    extra = re.match(r"^Got unexpected extra arguments? \((.*)\)$", exc.message)
    if extra:
        return f"多余的参数：{extra[1]}"
    if exc.message == "Missing command.":
        return "缺少子命令"
    return exc.format_message()


class ChineseUsageError(click.UsageError):
    def show(self, file: t.IO[t.Any] | None = None) -> None:
        ctx = self.ctx
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = f"运行 {ctx.command_path} {max(ctx.command.get_help_option_names(ctx), key=len)} 查看帮助。\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=ctx.color)
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None, color=ctx.color if ctx else None)


class ChineseError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class; a usage error keeps 2

    def show(self, file: t.IO[t.Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None, color=self.show_color)


def chinese(exc: click.ClickException) -> click.ClickException:
    """The same error, showing itself in Chinese."""
    if isinstance(exc, ChineseUsageError | ChineseError | NoArgsIsHelpError):  # the last shows the (Chinese) help
        return exc
    if isinstance(exc, click.UsageError):
        return ChineseUsageError(usage_message(exc), exc.ctx)
    message = exc.format_message()
    if isinstance(exc, click.FileError):
        message = f"无法打开文件“{exc.ui_filename}”：{exc.message}"
    return ChineseError(message, exc.exit_code)


def _chinese_help_extra(text: str) -> str:
    text = re.sub(r"\bdefault: ", "默认：", text)
    return text.replace("[required]", "[必填]").replace("; required]", "；必填]")


@contextmanager
def _section(formatter: click.HelpFormatter, name: str) -> Iterator[None]:
    """formatter.section with a full-width colon after the heading."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{name}：\n")
    formatter.indent()
    try:
        yield
    finally:
        formatter.dedent()


class _Chinese:
    """What ChineseCommand and ChineseGroup share: errors and help page in Chinese."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            raise chinese(exc) from exc

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:
            if exc.ctx is None:  # the parser's own errors come without one: the usage line needs it
                exc.ctx = ctx
            raise chinese(exc) from exc

    def invoke(self, ctx: click.Context) -> t.Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.ClickException as exc:
            raise chinese(exc) from exc
        except FaguiError as exc:  # the one place the command line turns the project's errors into messages
            raise ChineseError(str(exc)) from exc
        except Exception as exc:
            # A damaged database file met after the store opened (a page deep in the file) is the store's error too.
            from indexer.store.db import as_store_error

            error = as_store_error(exc)
            if error is None:
                raise
            raise ChineseError(str(error)) from exc

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")  # type: ignore[attr-defined]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                rows.append((record[0], _chinese_help_extra(record[1])))
        if rows:
            with _section(formatter, "选项"):
                formatter.write_dl(rows)


class ChineseCommand(_Chinese, click.Command):
    pass


class ChineseGroup(_Chinese, click.Group):
    command_class = ChineseCommand
    group_class = type  # sub-groups are ChineseGroups too

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with _section(formatter, "命令"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])
