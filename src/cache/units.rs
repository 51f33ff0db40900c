//! Cache units: the packages of a run grouped into strongly connected components of their
//! dependency graph, in dependency order, with what each unit's analysis needs below it.

use std::collections::HashMap;

/// One package as the grouping sees it.
pub struct PackageInfo {
    /// The lib name other packages use, if the package has a lib crate in this run.
    pub lib: Option<String>,
    /// Dependency names as code spells them.
    pub dependencies: Vec<String>,
    /// The normal dependencies among them (what its lib crate can call).
    pub lib_dependencies: Vec<String>,
    /// The bytes of its Cargo.toml (empty when none).
    pub manifest: Vec<u8>,
}

/// The cache units of a run and how they depend on each other.
#[derive(Debug, PartialEq, Eq)]
pub struct Units {
    /// The unit of each package.
    pub unit_of: Vec<usize>,
    /// The units each unit depends on directly (sorted, without itself). Units are numbered in
    /// dependency order: every unit comes after the units it depends on.
    pub deps: Vec<Vec<usize>>,
    /// The units a unit's analysis needs (sorted, without itself): its dependencies of every
    /// kind, then only the normal dependencies of those, transitively. A dependency's tests
    /// and their dev-dependencies are never called from outside it.
    pub below: Vec<Vec<usize>>,
    /// The units whose analysis needs each unit (sorted): the inverse of `below`. Calls from
    /// these reach the unit's lib, so they are where its forking functions' entry states come
    /// from (`driver::cached` keys a unit that may fork on them).
    pub above: Vec<Vec<usize>>,
    /// Lib names that more than one package of the run provides (never resolved).
    pub ambiguous: Vec<String>,
}

/// Splits packages into units: the strongly connected components of the graph "package P
/// depends on a lib name that exactly one package of the run provides" (a cycle comes from
/// dev-dependencies), numbered in dependency order (Tarjan's algorithm completes a component
/// after every component it reaches).
pub fn units(packages: &[PackageInfo]) -> Units {
    let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if let Some(lib) = &p.lib {
            providers.entry(lib.as_str()).or_default().push(i);
        }
    }
    let resolve = |i: usize, names: &[String]| -> Vec<usize> {
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|dep| match providers.get(dep.as_str()).map(Vec::as_slice) {
                Some([only]) if *only != i => Some(*only),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let edges: Vec<Vec<usize>> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| resolve(i, &p.dependencies))
        .collect();
    let lib_edges: Vec<Vec<usize>> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| resolve(i, &p.lib_dependencies))
        .collect();

    struct Tarjan<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        unit_of: Vec<usize>,
        units: usize,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.edges[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    self.unit_of[w] = self.units;
                    if w == v {
                        break;
                    }
                }
                self.units += 1;
            }
        }
    }
    let n = packages.len();
    let mut t = Tarjan {
        edges: &edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        unit_of: vec![0; n],
        units: 0,
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    let unit_of = t.unit_of;
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); t.units];
    for (p, out) in edges.iter().enumerate() {
        for &q in out {
            if unit_of[q] != unit_of[p] {
                deps[unit_of[p]].push(unit_of[q]);
            }
        }
    }
    for list in &mut deps {
        list.sort_unstable();
        list.dedup();
    }
    // Packages reachable through normal dependencies from each package (itself included).
    let lib_reach: Vec<Vec<usize>> = (0..n)
        .map(|start| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            seen[start] = true;
            let mut out = Vec::new();
            while let Some(p) = stack.pop() {
                out.push(p);
                for &q in &lib_edges[p] {
                    if !seen[q] {
                        seen[q] = true;
                        stack.push(q);
                    }
                }
            }
            out
        })
        .collect();
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); deps.len()];
    for (p, out) in edges.iter().enumerate() {
        let u = unit_of[p];
        for &q in out {
            below[u].extend(lib_reach[q].iter().map(|&r| unit_of[r]));
        }
    }
    for (u, list) in below.iter_mut().enumerate() {
        list.sort_unstable();
        list.dedup();
        list.retain(|&d| d != u);
    }
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); below.len()];
    for (u, list) in below.iter().enumerate() {
        for &d in list {
            above[d].push(u);
        }
    }
    let mut ambiguous: Vec<String> = providers
        .into_iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|(name, _)| name.to_string())
        .collect();
    ambiguous.sort();
    Units {
        unit_of,
        deps,
        below,
        above,
        ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(lib: Option<&str>, deps: &[&str]) -> PackageInfo {
        PackageInfo {
            lib: lib.map(str::to_string),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            lib_dependencies: deps.iter().map(|d| d.to_string()).collect(),
            manifest: Vec::new(),
        }
    }

    #[test]
    fn a_dependency_brings_its_normal_dependencies_only() {
        // x dev-depends on y; y depends on z and dev-depends on w.
        let mut x = pkg(Some("x"), &["y"]);
        x.lib_dependencies.clear();
        let mut y = pkg(Some("y"), &["z", "w"]);
        y.lib_dependencies = vec!["z".to_string()];
        let packages = [x, y, pkg(Some("z"), &[]), pkg(Some("w"), &[])];
        let units = units(&packages);
        let u = &units.unit_of;
        assert_eq!(units.below[u[0]], {
            let mut v = vec![u[1], u[2]];
            v.sort_unstable();
            v
        });
        assert_eq!(units.below[u[1]], {
            let mut v = vec![u[2], u[3]];
            v.sort_unstable();
            v
        });
    }

    #[test]
    fn units_follow_unique_lib_names_in_dependency_order() {
        let packages = [
            pkg(Some("a"), &["b"]),
            pkg(Some("b"), &[]),
            pkg(Some("c"), &["d"]),
            pkg(Some("d"), &[]),
            pkg(Some("d"), &[]),
            pkg(None, &["a"]),
            // A dev-dependency cycle: one unit.
            pkg(Some("e"), &["f", "b"]),
            pkg(Some("f"), &["e"]),
        ];
        let units = units(&packages);
        assert_eq!(units.ambiguous, vec!["d".to_string()]);
        let u = &units.unit_of;
        assert_eq!(u[6], u[7]);
        let distinct: std::collections::BTreeSet<usize> = u.iter().copied().collect();
        assert_eq!(distinct.len(), 7);
        // Every unit comes after the units it depends on.
        assert!(u[1] < u[0] && u[0] < u[5] && u[1] < u[6]);
        assert_eq!(units.deps[u[0]], vec![u[1]]);
        assert_eq!(units.deps[u[5]], vec![u[0]]);
        assert_eq!(units.deps[u[6]], vec![u[1]]);
        assert!(units.deps[u[2]].is_empty()); // `d` is ambiguous: not followed
    }
}
