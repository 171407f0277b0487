"""`convcalc report`: one self-contained HTML page — the drawing (inline SVG), the summary
table and totals (render/summary's cells, not re-derived), and each layer's explanation
(render/explain's facts and steps) folded in <details>. No script, no link, no font to fetch:
the page opens offline and prints (explanations open on paper).
"""

from __future__ import annotations

from convcalc.engine import Network
from convcalc.explain import Explanation, explain
from convcalc.layers.base import shape_text
from convcalc.render.common import layer_label
from convcalc.render.draw import draw
from convcalc.render.draw_svg import escape
from convcalc.render.explain import _facts, _step_lines
from convcalc.messages import Message, language
from convcalc.render.summary import headers, table_rows, totals_lines, warning_lines

NUMERIC = {0, 5, 6}  # right-aligned columns: #, Params, MACs
CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.lead{color:#555;margin:0 0 16px}
figure{margin:0;overflow-x:auto}figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.totals{list-style:none;padding:0;font-size:14px}ul.totals li:first-child{font-weight:bold}
details{border:1px solid #e3e3e3;border-radius:4px;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:bold}
.steps td:first-child{font-weight:bold;white-space:nowrap}
pre{font-size:12px;line-height:1.25}
.warning{color:#8a5a00}
@media print{
  main{max-width:none;padding:0}
  details{border:none;padding:0}details::details-content{content-visibility:visible;display:block}
  tr,details{break-inside:avoid}h2{break-after:avoid}
}
""".strip()


def to_html(net: Network) -> str:
    title = escape(Message("report.title", name=net.name, input=shape_text(net.input_shape),
                           output=shape_text(net.output_shape)))
    parts = ["<!DOCTYPE html>", f'<html lang="{language()}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{title}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>", "<main>",
             f"<h1>{escape(net.name)}</h1>", f'<p class="lead">{title}</p>',
             f"<h2>{Message('report.drawing')}</h2>", f"<figure>\n{draw(net)}</figure>",
             f"<h2>{Message('report.summary')}</h2>", _table(net), _totals(net),
             f"<h2>{Message('report.layers')}</h2>", *(_explanation(e) for e in explain(net)),
             "</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _table(net: Network) -> str:
    names = headers()
    head = "".join(f"<th>{escape(h)}</th>" for h in names)
    cells = ['<td class="n">' if i in NUMERIC else "<td>" for i in range(len(names))]
    rows = ["<tr>" + "".join(f"{td}{escape(c)}</td>" for td, c in zip(cells, row)) + "</tr>" for row in table_rows(net)]
    return "\n".join([f'<table class="summary"><thead><tr>{head}</tr></thead><tbody>', *rows, "</tbody></table>"])


def _totals(net: Network) -> str:
    items = [f"<li>{escape(line)}</li>" for line in totals_lines(net)]
    items += [f'<li class="warning">{escape(Message("label.warning") + w)}</li>' for w in warning_lines(net)]
    return '<ul class="totals">' + "".join(items) + "</ul>"


def _explanation(e: Explanation) -> str:
    r = e.result
    label = layer_label(r)
    heading = (Message("explain.heading_line", index=r.spec.index, label=label, line=r.spec.line) if r.spec.line
               else Message("explain.heading", index=r.spec.index, label=label))
    parts = [f"<details><summary>{escape(heading)}</summary>",
             f"<p>{escape(' · '.join(_facts(r)))}</p>"]
    if e.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in e.notes) + "</ul>")
    if r.steps:
        rows = "".join(f"<tr><td>{escape(s.what)}</td><td>{'<br>'.join(escape(t) for t in _step_lines(s))}</td></tr>"
                       for s in r.steps)
        parts.append(f'<table class="steps">{rows}</table>')
    if e.picture:
        p = e.picture
        grid = [" ".join(row) for row in p.input_rows] + [Message("explain.picture_output")] + [" ".join(row) for row in p.output_rows]
        parts.append(f"<p>{escape(p.caption)}</p><pre>{chr(10).join(escape(g) for g in grid)}</pre><p>{escape(p.legend)}</p>")
    parts += [f'<p class="warning">{escape(Message("label.warning") + w)}</p>' for w in r.warnings]
    return "\n".join(parts) + "</details>"
