//! Incremental loading: a content folder as a set of independent *units* (one
//! roadmap or best-practice folder, one question group, one guide or video file, the
//! synonyms file), each derived from its own files only.
//!
//! A reload names the files that changed; [`Loader::update`] maps each to the unit it
//! belongs to ([`Unit::of`]; this is the one place that knows the layout's
//! ownership), re-derives those units alone and reuses every other unit's resources
//! as they are (`Arc`s shared with the previous catalog, so unchanged resources are
//! not even copied). Cross-unit facts (related roadmaps' titles, the content
//! version, the ordering of lists) are recomputed over the units' results, which is
//! cheap. Only an overflowing event queue or a swapped root re-derives everything.
//!
//! Each unit also keeps its last good version: when a re-derivation reports an error
//! that the served version did not have (a truncated JSON, broken front matter, a
//! file over its size limit), the unit keeps serving what it served, and says so.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::model::{
    Catalog, Diagnostic, Guide, QuestionGroup, RelatedRoadmap, Roadmap, RoadmapKind, Severity,
    Video,
};
use super::paths::is_junk;
use super::persist::{self, Entry, PersistError};
use super::source::{Confinement, Ctx, Limits, Memo, short_hex};
use super::{LoadError, load_synonyms, pages, questions, roadmap};

/// One independently derived part of the content, named by where its files are.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// `roadmaps/<id>/`
    Roadmap(String),
    /// `best-practices/<id>/`
    BestPractice(String),
    /// `question-groups/<id>/`
    QuestionGroup(String),
    /// `guides/<file name>`
    Guide(String),
    /// `videos/<file name>`
    Video(String),
    /// `synonyms.yaml` or `synonyms.yml`
    Synonyms,
}

/// What a changed path means for the loaded content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affects {
    /// Re-derive this unit (it may have appeared or disappeared).
    Unit(Unit),
    /// A collection folder itself changed: list the collections again.
    Listing,
    /// The root itself changed: re-derive everything.
    Everything,
    /// Not content (a sibling, `.git`, a folder roadmap-api does not serve).
    Nothing,
}

const COLLECTIONS: [&str; 5] = [
    "roadmaps",
    "best-practices",
    "question-groups",
    "guides",
    "videos",
];

impl Unit {
    /// How the unit is named in `/v1/status` (`kept`) and in logs.
    pub fn label(&self) -> String {
        let page = |name: &str| {
            name.strip_suffix(".md")
                .or_else(|| name.strip_suffix(".markdown"))
                .unwrap_or(name)
                .to_string()
        };
        match self {
            Unit::Roadmap(id) => format!("roadmaps/{id}"),
            Unit::BestPractice(id) => format!("best-practices/{id}"),
            Unit::QuestionGroup(id) => format!("question-groups/{id}"),
            Unit::Guide(name) => format!("guides/{}", page(name)),
            Unit::Video(name) => format!("videos/{}", page(name)),
            Unit::Synonyms => "synonyms".into(),
        }
    }

    /// The unit a root-relative path belongs to.
    pub fn of(rel: &Path) -> Affects {
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(p) => match p.to_str() {
                    Some(s) => parts.push(s),
                    None => return Affects::Nothing,
                },
                Component::CurDir => {}
                _ => return Affects::Nothing,
            }
        }
        match parts.as_slice() {
            [] => Affects::Everything,
            [name] if *name == "synonyms.yaml" || *name == "synonyms.yml" => {
                Affects::Unit(Unit::Synonyms)
            }
            [name] if COLLECTIONS.contains(name) => Affects::Listing,
            [_, name, ..] if is_junk(name) => Affects::Nothing,
            ["roadmaps", id, ..] => Affects::Unit(Unit::Roadmap(id.to_string())),
            ["best-practices", id, ..] => Affects::Unit(Unit::BestPractice(id.to_string())),
            ["question-groups", id, ..] => Affects::Unit(Unit::QuestionGroup(id.to_string())),
            ["guides", name] => Affects::Unit(Unit::Guide(name.to_string())),
            ["videos", name] => Affects::Unit(Unit::Video(name.to_string())),
            _ => Affects::Nothing,
        }
    }
}

/// A unit's result, shared with every catalog that serves it.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Value {
    Roadmap {
        roadmap: Arc<Roadmap>,
        related_lines: Arc<Vec<Option<usize>>>,
        question_lines: Arc<Vec<Option<usize>>>,
    },
    Group(Arc<QuestionGroup>),
    Guide(Arc<Guide>),
    Video(Arc<Video>),
    Synonyms(Arc<Vec<Vec<String>>>),
}

#[derive(Debug)]
struct UnitState {
    /// What is served (the last good version when `kept`).
    value: Option<Value>,
    /// Diagnostics of the latest derivation, whether served or not.
    diagnostics: Vec<Diagnostic>,
    /// Errors the served version was derived with: an error outside this set is a
    /// new breakage.
    good_errors: BTreeSet<(Arc<Path>, Arc<str>)>,
    /// Hash of the files behind the served version.
    digest: [u8; 32],
    kept: bool,
    /// What the latest derivation read and parsed, for the next one.
    memo: Memo,
    /// Stamps of the unit's files taken before the served version was derived;
    /// `None` when they cannot vouch for it (then it is not saved).
    tree: Option<Vec<Entry>>,
}

/// A unit as [`Loader::save`] writes it ([`Saved`] reads it back; the fields match).
#[derive(Serialize)]
struct SavedRef<'a> {
    unit: &'a Unit,
    tree: &'a [Entry],
    value: &'a Value,
    diagnostics: &'a [Diagnostic],
    digest: &'a [u8; 32],
}

#[derive(Deserialize)]
struct Saved {
    unit: Unit,
    tree: Vec<Entry>,
    value: Value,
    diagnostics: Vec<Diagnostic>,
    digest: [u8; 32],
}

/// What one [`Loader::update`] did.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Units re-derived.
    pub units: Vec<Unit>,
    /// Whether everything was re-derived.
    pub everything: bool,
}

/// Loads a content folder and keeps what it loaded, so that the next load re-derives
/// only what changed.
pub struct Loader {
    root: PathBuf,
    limits: Limits,
    units: BTreeMap<Unit, UnitState>,
    /// Problems found listing the collections.
    listing: Vec<Diagnostic>,
    /// Where the root resolved at the last full load (a swapped link changes it).
    canonical: Option<PathBuf>,
    /// Stamp each unit's files before deriving it, for [`Loader::save`]: on once the
    /// loader is used with a saved state (with the index in memory nothing is saved,
    /// and a reload walks no folder for it).
    stamps: bool,
    /// Units still to be derived from their files by [`Loader::verify_step`], after a
    /// start from the saved state.
    unverified: Vec<Unit>,
}

/// The stamps a derivation records for its unit.
enum Stamps {
    /// None: the loader's state is never saved.
    Skip,
    /// Taken by the derivation, before it reads anything.
    Take,
    /// Already taken (by [`Loader::load_all_saved`], before anything was read).
    Taken(Option<Vec<Entry>>),
}

fn errors_of(diagnostics: &[Diagnostic]) -> BTreeSet<(Arc<Path>, Arc<str>)> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.file.clone(), d.message.clone()))
        .collect()
}

impl Loader {
    pub fn new(root: &Path, limits: Limits) -> Loader {
        Loader {
            root: root.to_path_buf(),
            limits,
            units: BTreeMap::new(),
            listing: Vec::new(),
            canonical: None,
            stamps: false,
            unverified: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many units serve something (what a saved state can restore).
    pub fn unit_count(&self) -> usize {
        self.units.values().filter(|s| s.value.is_some()).count()
    }

    /// Where the root resolves now, to tell a swapped link from an edit.
    pub fn canonical_root(&self) -> Option<&Path> {
        self.canonical.as_deref()
    }

    fn check_root(&self) -> Result<(), LoadError> {
        if !self.root.is_dir() {
            return Err(LoadError::NotADirectory(self.root.clone()));
        }
        std::fs::read_dir(&self.root)
            .map(|_| ())
            .map_err(|source| LoadError::Io {
                path: self.root.clone(),
                source,
            })
    }

    /// Derives every unit (the first load, a swapped root, an overflowing event
    /// queue). Units keep their last good versions across it.
    pub fn load_all(&mut self) -> Result<Catalog, LoadError> {
        self.check_root()?;
        self.canonical = std::fs::canonicalize(&self.root).ok();
        let confinement = Confinement::new(&self.root);
        let listed = self.list(&confinement);
        let all: BTreeSet<Unit> = listed
            .union(&self.units.keys().cloned().collect())
            .cloned()
            .collect();
        self.derive_all(all.into_iter().collect(), &confinement, true);
        // Everything was just derived from its files.
        self.unverified.clear();
        Ok(self.assemble())
    }

    /// [`Loader::load_all`] in steps: derives the next units of a check of the whole
    /// folder against what is served (every unit listed or known when the check
    /// began), two at a time (one per core) until `budget` has passed, and returns the
    /// catalog and whether the check is complete. After a start from the saved state,
    /// the check fills the memo later reloads rely on and corrects whatever the saved
    /// state got wrong; an edit that arrives meanwhile waits for one step, not for the
    /// whole folder (1.5 s at three times the size of roadmap.sh). A unit restored
    /// from the saved state has no memo yet: a roadmap takes 5-50 ms to derive, a
    /// guide well under one.
    pub fn verify_step(&mut self, budget: Duration) -> Result<(Catalog, bool), LoadError> {
        let started = Instant::now();
        self.check_root()?;
        let confinement = Confinement::new(&self.root);
        if self.unverified.is_empty() {
            self.canonical = std::fs::canonicalize(&self.root).ok();
            let listed = self.list(&confinement);
            let all: BTreeSet<Unit> = listed
                .union(&self.units.keys().cloned().collect())
                .cloned()
                .collect();
            // Taken from the end: the content's order.
            self.unverified = all.into_iter().rev().collect();
        }
        loop {
            let at = self
                .unverified
                .len()
                .saturating_sub(rayon::current_num_threads());
            let step: Vec<Unit> = self.unverified.drain(at..).rev().collect();
            self.derive_all(step, &confinement, true);
            if self.unverified.is_empty() || started.elapsed() >= budget {
                break;
            }
        }
        Ok((self.assemble(), self.unverified.is_empty()))
    }

    /// [`Loader::load_all`], taking each unit whose files are as they were from the
    /// state [`Loader::save`] left at `saved` instead of deriving it. Returns the
    /// catalog and how many units were restored; a missing, stale or unreadable file
    /// only means every unit is derived.
    pub fn load_all_saved(&mut self, saved: &Path) -> Result<(Catalog, usize), LoadError> {
        use rayon::prelude::*;
        self.check_root()?;
        self.stamps = true;
        self.canonical = std::fs::canonicalize(&self.root).ok();
        let confinement = Confinement::new(&self.root);
        let listed: Vec<Unit> = self.list(&confinement).into_iter().collect();
        let (root, limits) = (&self.root, self.limits);
        // Reading the saved state and stamping the folders are independent: both at
        // once (each on every core it can get).
        let (read, trees) = rayon::join(
            || persist::read::<Saved>(saved, root, limits),
            || {
                listed
                    .par_iter()
                    .map(|u| persist::tree(root, u))
                    .collect::<Vec<Option<Vec<Entry>>>>()
            },
        );
        let mut saved: HashMap<Unit, Saved> = match read {
            Ok(units) => units.into_iter().map(|s| (s.unit.clone(), s)).collect(),
            Err(PersistError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(e) => {
                tracing::info!(file = %saved.display(), error = %e, "saved catalog not used; reading every file");
                HashMap::new()
            }
        };
        let mut derive = Vec::new();
        let mut restored = 0;
        for (unit, tree) in listed.into_iter().zip(trees) {
            let found = saved.remove(&unit);
            match (found, tree) {
                (Some(s), Some(tree)) if s.tree == tree => {
                    restored += 1;
                    self.units.insert(
                        unit,
                        UnitState {
                            value: Some(s.value),
                            good_errors: errors_of(&s.diagnostics),
                            diagnostics: s.diagnostics,
                            digest: s.digest,
                            kept: false,
                            memo: Memo::default(),
                            tree: Some(tree),
                        },
                    );
                }
                // Stamped already, before any of its files was read.
                (_, tree) => derive.push((unit, Stamps::Taken(tree))),
            }
        }
        for (unit, d) in self.derive_units(derive, &confinement) {
            self.settle(&unit, d);
        }
        Ok((self.assemble(), restored))
    }

    /// The first load: from the state saved at `saved` where there is one
    /// ([`Loader::load_all_saved`], with how many units it restored), else from the
    /// files.
    pub fn load_first(
        &mut self,
        saved: Option<&Path>,
    ) -> Result<(Catalog, Option<usize>), LoadError> {
        match saved {
            Some(file) => self
                .load_all_saved(file)
                .map(|(catalog, n)| (catalog, Some(n))),
            None => self.load_all().map(|catalog| (catalog, None)),
        }
    }

    /// Writes what every unit serves, with the stamps of the files it was derived
    /// from, for [`Loader::load_all_saved`] at the next start. Units serving a last
    /// good version, or whose files were changing as they were read, are left out
    /// (they are derived next time). Returns the units and bytes written.
    pub fn save(&mut self, path: &Path) -> Result<(usize, usize), PersistError> {
        self.stamps = true;
        self.refresh_stamps();
        let units: Vec<SavedRef<'_>> = self
            .units
            .iter()
            .filter(|(_, s)| !s.kept)
            .filter_map(|(unit, s)| {
                Some(SavedRef {
                    unit,
                    tree: s.tree.as_deref()?,
                    value: s.value.as_ref()?,
                    diagnostics: &s.diagnostics,
                    digest: &s.digest,
                })
            })
            .collect();
        let bytes = persist::write(path, &self.root, self.limits, &units)?;
        Ok((units.len(), bytes))
    }

    /// Brings the loaded content up to date with the files at `changed` (absolute
    /// paths, as file-system events name them). Paths outside the root or in
    /// folders that hold no content cost nothing.
    /// `None` when none of them is content.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Option<(Catalog, Update)>, LoadError> {
        self.check_root()?;
        let canonical = std::fs::canonicalize(&self.root).ok();
        let mut units: BTreeSet<Unit> = BTreeSet::new();
        let mut listing = false;
        let mut everything = canonical != self.canonical;
        for path in changed {
            match Unit::of(&self.relative(path)) {
                Affects::Unit(u) => {
                    units.insert(u);
                }
                Affects::Listing => listing = true,
                Affects::Everything => everything = true,
                Affects::Nothing => {}
            }
        }
        if everything {
            let catalog = self.load_all()?;
            return Ok(Some((
                catalog,
                Update {
                    units: self.units.keys().cloned().collect(),
                    everything: true,
                },
            )));
        }
        let confinement = Confinement::new(&self.root);
        if listing {
            let listed = self.list(&confinement);
            let known: BTreeSet<Unit> = self.units.keys().cloned().collect();
            units.extend(listed.symmetric_difference(&known).cloned());
        }
        if units.is_empty() {
            return Ok(None);
        }
        self.derive_all(units.iter().cloned().collect(), &confinement, false);
        Ok(Some((
            self.assemble(),
            Update {
                units: units.into_iter().collect(),
                everything: false,
            },
        )))
    }

    /// `path` relative to the root, whether it names the root as given or where it
    /// resolves; `path` itself when it is neither (it then affects nothing).
    fn relative(&self, path: &Path) -> PathBuf {
        if let Ok(rel) = path.strip_prefix(&self.root) {
            return rel.to_path_buf();
        }
        if let Some(c) = &self.canonical
            && let Ok(rel) = path.strip_prefix(c)
        {
            return rel.to_path_buf();
        }
        // Outside the root: an absolute path that classifies as nothing.
        PathBuf::from("..").join(path)
    }

    /// Every unit present in the folder now.
    fn list(&mut self, confinement: &Confinement) -> BTreeSet<Unit> {
        let mut ctx = Ctx::new(&self.root, self.limits, confinement);
        let mut out = BTreeSet::new();
        for (collection, make) in [
            ("roadmaps", Unit::Roadmap as fn(String) -> Unit),
            ("best-practices", Unit::BestPractice),
            ("question-groups", Unit::QuestionGroup),
        ] {
            let dir = self.root.join(collection);
            if !ctx.is_dir(&dir) {
                continue;
            }
            for (name, path) in entries(&mut ctx, &dir) {
                if path.is_dir() && ctx.is_dir(&path) {
                    out.insert(make(name));
                }
            }
        }
        for (collection, make) in [
            ("guides", Unit::Guide as fn(String) -> Unit),
            ("videos", Unit::Video),
        ] {
            let dir = self.root.join(collection);
            if !ctx.is_dir(&dir) {
                continue;
            }
            for (name, path) in entries(&mut ctx, &dir) {
                if !path.is_dir() {
                    out.insert(make(name));
                }
            }
        }
        if ["synonyms.yaml", "synonyms.yml"]
            .iter()
            .any(|n| self.root.join(n).is_file())
        {
            out.insert(Unit::Synonyms);
        }
        self.listing = ctx.diagnostics;
        out
    }

    /// Units derived while their files were changing (a checkout or an extraction
    /// just before the start) have no stamps to be saved with: derived again now, and
    /// stamped when the files give the same result (the memo makes this a re-read of
    /// those files alone). A unit whose files changed since keeps no stamps: its
    /// change is on its way as an event, and the next save takes it.
    fn refresh_stamps(&mut self) {
        let units: Vec<(Unit, Stamps)> = self
            .units
            .iter()
            .filter(|(_, s)| s.tree.is_none() && !s.kept && s.value.is_some())
            .map(|(u, _)| (u.clone(), Stamps::Take))
            .collect();
        if units.is_empty() {
            return;
        }
        let confinement = Confinement::new(&self.root);
        for (unit, d) in self.derive_units(units, &confinement) {
            if let Some(state) = self.units.get_mut(&unit) {
                if state.digest == d.digest && state.diagnostics == d.diagnostics {
                    state.tree = d.tree;
                }
                state.memo = d.memo;
            }
        }
    }

    /// What the last derivation of `unit` read and parsed, taken for the next one.
    fn take_memo(&mut self, unit: &Unit) -> Memo {
        self.units
            .get_mut(unit)
            .map(|s| std::mem::take(&mut s.memo))
            .unwrap_or_default()
    }

    /// Re-derives `units` from their files, on every core (start-up, a swapped root,
    /// an overflowing event queue and a checkout derive many; each is independent of
    /// the others until [`Loader::assemble`]), and decides what each serves.
    ///
    /// `stamp` is false for the units that file-system events name: their stamps are
    /// taken by [`Loader::save`] instead. A file just saved is younger than
    /// [`persist`]'s two racy seconds, so a walk of its unit now would find no stamps
    /// to keep, and the walk (a `statx` per file of the unit, a tenth of a one-topic
    /// reload) was on the way to publishing the edit.
    fn derive_all(&mut self, units: Vec<Unit>, confinement: &Confinement, stamp: bool) {
        let stamps = || {
            if self.stamps && stamp {
                Stamps::Take
            } else {
                Stamps::Skip
            }
        };
        let work: Vec<(Unit, Stamps)> = units.into_iter().map(|u| (u, stamps())).collect();
        for (unit, d) in self.derive_units(work, confinement) {
            self.settle(&unit, d);
        }
    }

    /// Derives each unit on every core, with the memo of its last derivation.
    fn derive_units(
        &mut self,
        units: Vec<(Unit, Stamps)>,
        confinement: &Confinement,
    ) -> Vec<(Unit, Derived)> {
        use rayon::prelude::*;
        let work: Vec<(Unit, Stamps, Memo)> = units
            .into_iter()
            .map(|(u, stamps)| {
                let memo = self.take_memo(&u);
                (u, stamps, memo)
            })
            .collect();
        let (root, limits) = (&self.root, self.limits);
        work.into_par_iter()
            .map(|(unit, stamps, memo)| {
                let d = derive(root, limits, confinement, &unit, stamps, memo);
                (unit, d)
            })
            .collect()
    }

    /// Decides what `unit` serves after a derivation: the new version, or the last
    /// good one when the new one brings a new error.
    fn settle(&mut self, unit: &Unit, derived: Derived) {
        let Derived {
            value,
            digest,
            memo,
            diagnostics,
            tree,
        } = derived;
        let errors = errors_of(&diagnostics);
        match self.units.get_mut(unit) {
            // A new error where a good version is served: keep serving it.
            Some(state)
                if state.value.is_some()
                    && value.is_some()
                    && !errors.is_subset(&state.good_errors) =>
            {
                state.diagnostics = diagnostics;
                state.kept = true;
                state.memo = memo;
                state.tree = None;
            }
            // Same for a resource whose files broke so badly it no longer loads
            // (front matter a question group cannot do without, say).
            Some(state)
                if state.value.is_some()
                    && value.is_none()
                    && !errors.is_empty()
                    && !errors.is_subset(&state.good_errors) =>
            {
                state.diagnostics = diagnostics;
                state.kept = true;
                state.memo = memo;
                state.tree = None;
            }
            _ if value.is_none() && diagnostics.is_empty() => {
                self.units.remove(unit);
            }
            _ => {
                self.units.insert(
                    unit.clone(),
                    UnitState {
                        value,
                        diagnostics,
                        good_errors: errors,
                        digest,
                        kept: false,
                        memo,
                        tree,
                    },
                );
            }
        }
    }

    /// The catalog of what the units serve now.
    fn assemble(&mut self) -> Catalog {
        let mut catalog = Catalog {
            root: self.root.clone(),
            ..Catalog::default()
        };
        let mut diagnostics = self.listing.clone();
        let targets = self.related_targets();
        let groups: HashSet<String> = self
            .units
            .values()
            .filter_map(|s| match &s.value {
                Some(Value::Group(g)) => Some(g.id.clone()),
                _ => None,
            })
            .collect();
        let mut version = blake3::Hasher::new();
        for (unit, state) in self.units.iter_mut() {
            diagnostics.extend(state.diagnostics.iter().cloned());
            let Some(value) = &mut state.value else {
                continue;
            };
            if state.kept {
                let label = unit.label();
                diagnostics.push(Diagnostic {
                    file: Path::new(&label).into(),
                    line: None,
                    severity: Severity::Warning,
                    message: "serving the last good version until the broken file is fixed".into(),
                });
                catalog.kept.push(label);
            }
            version.update(unit.label().as_bytes());
            version.update(&[0]);
            version.update(&state.digest);
            match value {
                Value::Roadmap {
                    roadmap,
                    related_lines,
                    question_lines,
                } => {
                    let related = resolve_related(
                        roadmap,
                        related_lines,
                        question_lines,
                        &targets,
                        &groups,
                        &mut diagnostics,
                    );
                    if related != roadmap.related {
                        let mut updated = (**roadmap).clone();
                        updated.related = related;
                        *roadmap = Arc::new(updated);
                    }
                    match roadmap.kind {
                        RoadmapKind::Roadmap => catalog.roadmaps.push(Arc::clone(roadmap)),
                        RoadmapKind::BestPractice => {
                            catalog.best_practices.push(Arc::clone(roadmap))
                        }
                    }
                }
                Value::Group(g) => catalog.question_groups.push(Arc::clone(g)),
                Value::Guide(g) => catalog.guides.push(Arc::clone(g)),
                Value::Video(v) => catalog.videos.push(Arc::clone(v)),
                Value::Synonyms(s) => catalog.synonyms = (**s).clone(),
            }
        }
        let by_order = |a: &Option<f64>, a_id: &str, b: &Option<f64>, b_id: &str| {
            match (a, b) {
                (Some(x), Some(y)) => x.total_cmp(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then_with(|| a_id.cmp(b_id))
        };
        catalog
            .roadmaps
            .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));
        catalog
            .best_practices
            .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));
        catalog
            .question_groups
            .sort_by(|a, b| by_order(&a.order, &a.id, &b.order, &b.id));
        pages::sort_newest_first(&mut catalog.guides, |g| (&g.date, &g.slug));
        pages::sort_newest_first(&mut catalog.videos, |v| (&v.date, &v.slug));
        catalog.version = short_hex(version.finalize().as_bytes());
        catalog.diagnostics = diagnostics;
        catalog
    }

    /// What a `relatedRoadmaps` id expands to. Best practices can be named too;
    /// roadmaps win when an id exists in both.
    fn related_targets(&self) -> HashMap<String, RelatedRoadmap> {
        let mut targets = HashMap::new();
        for kind in [RoadmapKind::BestPractice, RoadmapKind::Roadmap] {
            for state in self.units.values() {
                let Some(Value::Roadmap { roadmap: r, .. }) = &state.value else {
                    continue;
                };
                if r.kind != kind {
                    continue;
                }
                targets.insert(
                    r.id.clone(),
                    RelatedRoadmap {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        brief_title: r
                            .brief_title
                            .clone()
                            .filter(|s| !s.trim().is_empty())
                            .unwrap_or_else(|| r.title.clone()),
                        brief_description: r
                            .brief_description
                            .clone()
                            .filter(|s| !s.trim().is_empty())
                            .unwrap_or_else(|| r.description.clone()),
                    },
                );
            }
        }
        targets
    }
}

/// Expands a roadmap's `relatedRoadmaps` once every unit is known (a roadmap may
/// name one that sorts after it), and reports ids that name nothing.
/// One derivation of a unit, before [`Loader::settle`] decides what it serves.
struct Derived {
    value: Option<Value>,
    digest: [u8; 32],
    memo: Memo,
    diagnostics: Vec<Diagnostic>,
    /// Taken before the files were read: a file changed during the derivation shows
    /// a newer stamp next time, never an older one.
    tree: Option<Vec<Entry>>,
}

/// Reads and parses the files of `unit` (reusing `memo` where they are unchanged). A
/// function of the files alone, so that units derive in parallel.
fn derive(
    root: &Path,
    limits: Limits,
    confinement: &Confinement,
    unit: &Unit,
    stamps: Stamps,
    memo: Memo,
) -> Derived {
    let tree = match stamps {
        Stamps::Skip => None,
        Stamps::Take => persist::tree(root, unit),
        Stamps::Taken(tree) => tree,
    };
    let mut ctx = Ctx::with_memo(root, limits, confinement, memo);
    let value = match unit {
        Unit::Roadmap(id) | Unit::BestPractice(id) => {
            let (folder, kind) = match unit {
                Unit::Roadmap(_) => ("roadmaps", RoadmapKind::Roadmap),
                _ => ("best-practices", RoadmapKind::BestPractice),
            };
            let dir = root.join(folder).join(id);
            (dir.is_dir() && ctx.is_dir(&dir))
                .then(|| roadmap::load(&mut ctx, &dir, id, kind))
                .flatten()
                .map(|l| Value::Roadmap {
                    roadmap: Arc::new(l.roadmap),
                    related_lines: Arc::new(l.related_lines),
                    question_lines: Arc::new(l.question_lines),
                })
        }
        Unit::QuestionGroup(id) => {
            let dir = root.join("question-groups").join(id);
            (dir.is_dir() && ctx.is_dir(&dir))
                .then(|| questions::load(&mut ctx, &dir, id))
                .flatten()
                .map(|g| Value::Group(Arc::new(g)))
        }
        Unit::Guide(name) => {
            let path = root.join("guides").join(name);
            (path.exists() && ctx.is_dir(&root.join("guides")))
                .then(|| pages::load_guide(&mut ctx, &path))
                .flatten()
                .map(|g| Value::Guide(Arc::new(g)))
        }
        Unit::Video(name) => {
            let path = root.join("videos").join(name);
            (path.exists() && ctx.is_dir(&root.join("videos")))
                .then(|| pages::load_video(&mut ctx, &path))
                .flatten()
                .map(|v| Value::Video(Arc::new(v)))
        }
        Unit::Synonyms => load_synonyms(&mut ctx, root).map(|s| Value::Synonyms(Arc::new(s))),
    };
    Derived {
        digest: ctx.digest(),
        memo: ctx.take_memo(),
        diagnostics: ctx.diagnostics,
        value,
        tree,
    }
}

fn resolve_related(
    r: &Roadmap,
    related_lines: &[Option<usize>],
    question_lines: &[Option<usize>],
    targets: &HashMap<String, RelatedRoadmap>,
    groups: &HashSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<RelatedRoadmap> {
    let mut related = Vec::new();
    for (i, id) in r.related_ids.iter().enumerate() {
        match targets.get(id) {
            Some(t) => related.push(t.clone()),
            None => diagnostics.push(Diagnostic {
                file: r.file.as_path().into(),
                line: related_lines.get(i).copied().flatten(),
                severity: Severity::Warning,
                message: format!("related roadmap `{id}` does not exist; left out").into(),
            }),
        }
    }
    for (i, id) in r.related_questions.iter().enumerate() {
        if !groups.contains(id) {
            diagnostics.push(Diagnostic {
                file: r.file.as_path().into(),
                line: question_lines.get(i).copied().flatten(),
                severity: Severity::Warning,
                message: format!("related question group `{id}` does not exist").into(),
            });
        }
    }
    related
}

/// The entries of a collection folder, by name, without editor junk; links that
/// leave the content folder are reported and left out.
fn entries(ctx: &mut Ctx, dir: &Path) -> Vec<(String, PathBuf)> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            let rel = ctx.rel(dir);
            ctx.error(&rel, None, format!("folder could not be read: {e}"));
            return Vec::new();
        }
    };
    let mut out: Vec<(String, PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            (!is_junk(&name)).then(|| (name, e.path()))
        })
        .collect();
    out.sort();
    out.retain(|(_, path)| ctx.inside(path));
    out
}
