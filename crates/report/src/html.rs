//! `report.html`: one self-contained page (no external resources) with the figures inlined as
//! SVG, the tables, the scenario's provenance and the errata flags.
//!
//! The bytes depend only on the input: no timestamps, no random ids, fixed number formatting.

use std::fmt::Write as _;

use crate::model::ReportInput;

/// An inlined figure: its file stem, caption and SVG document.
#[derive(Debug, Clone)]
pub struct HtmlFigure {
    /// File stem (used as the element id `fig-<stem>`).
    pub stem: String,
    /// Caption text.
    pub caption: String,
    /// The SVG document as written by the figure renderer.
    pub svg: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The SVG element to inline: without an XML declaration, with a `viewBox` so CSS can scale
/// it.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = &svg[start..];
    if body.contains("viewBox") {
        return body.to_string();
    }
    // plotters writes `<svg width="W" height="H" ...>`: add the matching viewBox.
    let attr = |name: &str| -> Option<String> {
        let head = &body[..body.find('>')?];
        let k = head.find(&format!("{name}=\""))? + name.len() + 2;
        let rest = &head[k..];
        Some(rest[..rest.find('"')?].to_string())
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) => body.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1),
        _ => body.to_string(),
    }
}

/// Billions of yuan with 3 decimals.
fn bn(yuan: f64) -> String {
    format!("{:.3}", yuan / 1e9)
}

/// Megatonnes with 4 decimals.
fn mt(t: f64) -> String {
    format!("{:.4}", t / 1e6)
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2em auto;max-width:1200px;color:#222;line-height:1.4}\
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}\
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;border:1px solid #ddd}\
figcaption{font-size:.9em;color:#444}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:.25em .6em}td.n{text-align:right;font-variant-numeric:tabular-nums}\
th{background:#f2f2f2}tr.flag td{background:#fff4d6}\
ul.errata li{color:#8a3b00}";

/// The whole page.
pub fn report_html(input: &ReportInput, figures: &[HtmlFigure]) -> String {
    let mut h = String::new();
    let name = escape(&input.scenario_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>fzc report: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Carbon compensation report: {name}</h1>\n\
         <p>Flow–zoning–compensation results written by fzc. Amounts in billion yuan, \
         masses in Mt CO<sub>2</sub>; the CSV and GeoPackage files beside this page hold \
         the full-precision values (yuan, t CO<sub>2</sub>).</p>\n"
    );

    h.push_str("<section id=\"provenance\">\n<h2>Scenario and provenance</h2>\n<ul>\n");
    for p in &input.provenance {
        let _ = writeln!(h, "<li>{}</li>", escape(p));
    }
    if input.provenance.is_empty() {
        h.push_str("<li>No provenance notes were given.</li>\n");
    }
    h.push_str("</ul>\n</section>\n");

    h.push_str("<section id=\"errata\">\n<h2>Errata and flags</h2>\n<ul class=\"errata\">\n");
    for e in &input.errata {
        let _ = writeln!(h, "<li>{}</li>", escape(e));
    }
    if input.errata.is_empty() {
        h.push_str("<li>None.</li>\n");
    }
    h.push_str("</ul>\n</section>\n");

    h.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
    for f in figures {
        let _ = write!(
            h,
            "<figure id=\"fig-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(&f.stem),
            inline_svg(&f.svg),
            escape(&f.caption)
        );
    }
    h.push_str("</section>\n");

    zoning_table(&mut h, input);
    ledger_table(&mut h, input);
    flows_tables(&mut h, input);
    comparison_table(&mut h, input);
    h.push_str("</body>\n</html>\n");
    h
}

fn zoning_table(h: &mut String, input: &ReportInput) {
    h.push_str(
        "<section id=\"zoning\">\n<h2>Zoning and compensation</h2>\n\
         <table id=\"zoning-table\">\n<thead><tr><th>Region</th><th>Class</th><th>Zone</th>\
         <th>NF (Mt)</th><th>V<sub>net</sub> (Mt)</th><th>L (Mt)</th><th>Standard (yuan/t)</th>\
         <th>Eq 17 (bn yuan)</th><th>Paid (bn yuan)</th><th>Received (bn yuan)</th>\
         <th>Net (bn yuan)</th><th>Flag</th></tr></thead>\n<tbody>\n",
    );
    for r in input.sorted_regions() {
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            if r.flag { " class=\"flag\"" } else { "" },
            escape(&r.display_name),
            r.class.as_str(),
            r.zone.as_str(),
            mt(r.nf_t),
            mt(r.v_net_t),
            mt(r.benchmark_t),
            r.standard_yuan_per_t
                .map_or_else(|| "–".to_string(), |s| format!("{s:.2}")),
            r.tc_eq17_yuan.map_or_else(|| "–".to_string(), bn),
            bn(r.paid_yuan),
            bn(r.received_yuan),
            bn(r.net_yuan),
            if r.flag {
                "ledger sign ≠ benchmark sign"
            } else {
                ""
            },
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn ledger_table(h: &mut String, input: &ReportInput) {
    h.push_str(
        "<section id=\"ledger\">\n<h2>Ledger</h2>\n<table id=\"ledger-table\">\n\
         <thead><tr><th>Payer</th><th>Payee</th><th>Layer</th><th>Tonnes (Mt)</th>\
         <th>Standard (yuan/t)</th><th>Amount (bn yuan)</th></tr></thead>\n<tbody>\n",
    );
    let mut pairs: Vec<_> = input.ledger.iter().collect();
    pairs.sort_by(|a, b| (a.layer, &a.payer, &a.payee).cmp(&(b.layer, &b.payer, &b.payee)));
    let name = |id: &str| {
        input
            .region(id)
            .map_or_else(|| id.to_string(), |r| r.display_name.clone())
    };
    for p in pairs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td>\
             <td class=\"n\">{}</td></tr>",
            escape(&name(&p.payer)),
            escape(&name(&p.payee)),
            p.layer.as_str(),
            mt(p.tonnes),
            p.standard_yuan_per_t,
            bn(p.amount_yuan)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn flows_tables(h: &mut String, input: &ReportInput) {
    let name = |id: &str| {
        input
            .region(id)
            .map_or_else(|| id.to_string(), |r| r.display_name.clone())
    };
    h.push_str(
        "<section id=\"flows\">\n<h2>Flows</h2>\n<table id=\"ect-table\">\n<caption>ECT bilateral \
         net flows (payer → payee)</caption>\n<thead><tr><th>From</th><th>To</th>\
         <th>Net (Mt)</th></tr></thead>\n<tbody>\n",
    );
    let mut ect: Vec<_> = input.ect_flows.iter().collect();
    ect.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    for e in ect {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&name(&e.from)),
            escape(&name(&e.to)),
            mt(e.tonnes)
        );
    }
    h.push_str(
        "</tbody>\n</table>\n<table id=\"cssf-table\">\n<caption>CSS flows (output → input)\
         </caption>\n<thead><tr><th>Output</th><th>Input</th><th>Range (km; † the paper's \
         Table 3 value, otherwise the flow model's)</th>\
         <th>Intensity (t/km²)</th><th>Transfer (Mt)</th></tr></thead>\n<tbody>\n",
    );
    let mut cssf: Vec<_> = input.cssf_flows.iter().collect();
    cssf.sort_by(|a, b| (&a.output, &a.input).cmp(&(&b.output, &b.input)));
    for c in cssf {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            escape(&name(&c.output)),
            escape(&name(&c.input)),
            match (c.range_km > 0.0, c.range_from_paper) {
                (false, _) => "–".to_string(),
                (true, true) => format!("{:.2} †", c.range_km),
                (true, false) => format!("{:.2}", c.range_km),
            },
            c.intensity_t_per_km2
                .map_or_else(|| "–".to_string(), |v| format!("{v:.2}")),
            mt(c.transfer_t)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn comparison_table(h: &mut String, input: &ReportInput) {
    let Some(cmp) = &input.comparison else {
        return;
    };
    h.push_str(
        "<section id=\"comparison\">\n<h2>Pricing schemes compared</h2>\n\
         <table id=\"comparison-table\">\n<thead><tr><th>Region</th>",
    );
    for s in &cmp.schemes {
        let _ = write!(h, "<th>{} (bn yuan)</th>", escape(s));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let mut rows: Vec<_> = cmp.rows.iter().collect();
    rows.sort_by(|a, b| a.region.cmp(&b.region));
    for r in rows {
        let name = input
            .region(&r.region)
            .map_or_else(|| r.region.clone(), |g| g.display_name.clone());
        let _ = write!(h, "<tr><td>{}</td>", escape(&name));
        for v in &r.net_yuan {
            let _ = write!(h, "<td class=\"n\">{}</td>", bn(*v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Escaped text contains no markup characters, and unescaping gives the text back.
        #[test]
        fn escape_leaves_no_markup(s in ".{0,40}") {
            let e = escape(&s);
            prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"'));
            let back = e.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
            prop_assert_eq!(back, s);
        }
    }

    #[test]
    fn inline_svg_adds_a_viewbox_and_drops_the_declaration() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"30\" height=\"20\" xmlns=\"x\"></svg>";
        let out = inline_svg(svg);
        assert!(out.starts_with("<svg viewBox=\"0 0 30 20\""), "{out}");
    }
}
