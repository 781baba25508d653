//! The domain's modules import each other in layers: values, then the records
//! (tickets, catalog entries, mail jobs, probes), then the ports that store them,
//! then the use cases that call the ports. An import circle between modules means
//! a record reaches up into a use case, and a change to one drags the other
//! along. This test reads the crate's own sources and fails on any circle except
//! the one allowed below.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Circles that are one aggregate and its parts, with the reason.
const ALLOWED: &[(&[&str], &str)] = &[(
    &["sla::clocks", "sla::policy", "tickets::ticket"],
    "a ticket carries its clocks, and the clocks move with the ticket's status",
)];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display())
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `src/lib.rs` is the root, "".
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The code without tests (they sit at the end of a file, after `#[cfg(test)]`)
/// and without comments (a doc link is not an import).
fn code(source: &str) -> String {
    let before_tests = source.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a `use crate::…;` tree names, braces expanded.
fn expand_use_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let item = tree.split(" as ").next().unwrap_or_default().trim();
        if !item.is_empty() && item != "self" && item != "*" {
            out.push(format!("{prefix}{item}"));
        } else if !prefix.is_empty() {
            out.push(prefix.trim_end_matches(':').to_owned());
        }
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand_use_tree(&head, &inner[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    expand_use_tree(&head, &inner[start..], out);
}

fn paths_named(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let is_use = rest[..at].trim_end().ends_with("use");
        if is_use {
            let end = after.find(';').unwrap_or(after.len());
            expand_use_tree("", &after[..end], &mut paths);
            rest = &after[end..];
        } else {
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            paths.push(after[..end].trim_end_matches(':').to_owned());
            rest = &after[end..];
        }
    }
    paths
}

/// The module a path names: its longest prefix that is one of ours.
fn resolve(modules: &BTreeSet<String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let by_module: BTreeMap<String, PathBuf> = files
        .into_iter()
        .map(|f| (module_of(&root, &f), f))
        .filter(|(m, _)| !m.is_empty() && !m.ends_with("tests"))
        .collect();
    let modules: BTreeSet<String> = by_module.keys().cloned().collect();
    by_module
        .iter()
        .map(|(module, file)| {
            let source = std::fs::read_to_string(file).unwrap_or_default();
            let imports = paths_named(&code(&source))
                .iter()
                .filter_map(|p| resolve(&modules, p))
                .filter(|m| m != module)
                .collect();
            (module.clone(), imports)
        })
        .collect()
}

/// Strongly connected components of more than one module (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lowest = self.low[v].min(self.low[w]);
                    self.low.insert(v, lowest);
                } else if self.stack.contains(&w) {
                    let lowest = self.low[v].min(self.index[w]);
                    self.low.insert(v, lowest);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    component.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn modules_import_each_other_without_circles() {
    let graph = import_graph();
    assert!(graph.len() > 40, "read only {} modules", graph.len());
    let unexpected: Vec<String> = circles(&graph)
        .into_iter()
        .filter(|c| {
            !ALLOWED.iter().any(|(allowed, _)| {
                c.len() == allowed.len() && allowed.iter().all(|m| c.contains(*m))
            })
        })
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| c.contains(*b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "import circles:\n{}",
        unexpected.join("\n")
    );
}

#[test]
fn the_ports_need_no_use_case() {
    // The records the ports name must not reach a module that calls a port.
    let graph = import_graph();
    let calls_ports = |m: &str| graph[m].iter().any(|i| i == "ports");
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = graph
        .iter()
        .filter(|(m, _)| *m == "ports" || m.starts_with("ports::"))
        .flat_map(|(_, imports)| imports.iter().cloned())
        .collect();
    while let Some(m) = todo.pop() {
        if m == "ports" || m.starts_with("ports::") || !seen.insert(m.clone()) {
            continue;
        }
        assert!(
            !calls_ports(&m),
            "the ports reach {m}, which itself uses the ports"
        );
        todo.extend(graph[&m].iter().cloned());
    }
    assert!(seen.len() > 10, "followed only {seen:?}");
}

#[test]
fn the_reader_finds_a_circle_it_is_shown() {
    // The reader itself: a circle in made-up sources is found, and braces expand.
    let mut paths = Vec::new();
    expand_use_tree("", "a::{b::{C, D}, e, f as g}", &mut paths);
    assert_eq!(paths, ["a::b::C", "a::b::D", "a::e", "a::f"]);
    let named = paths_named("use crate::x::{y::Z};\nfn f() { crate::w::v(); }");
    assert_eq!(named, ["x::y::Z", "w::v"]);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    let found = circles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0], ["a", "b", "c"].map(str::to_owned).into());
}
