//! WORKSHOP.md and the solutions, embedded at build time, and WORKSHOP.md
//! read into sections and code blocks.
//!
//! A code block may be marked by an HTML comment on the line before its
//! fence, invisible when the Markdown is rendered:
//!
//! - `<!-- from workshop/step-1/src/main.rs -->`: the block is an excerpt of
//!   that file, exactly; a line `// …` (or `# …` in TOML) stands for lines
//!   left out. The test suite holds every Rust and TOML block to this.
//! - `<!-- answer error-ratio -->`: the block is the answer to that exercise
//!   ([`crate::queries::EXERCISES`]), with the window `1m`.

/// WORKSHOP.md, as built.
pub const WORKSHOP_MD: &str = include_str!("../../../WORKSHOP.md");

/// `("workshop/PATH", the file's text)`, embedded at build time.
macro_rules! solution {
    ($path:literal) => {
        (
            concat!("workshop/", $path),
            include_str!(concat!("../../", $path)),
        )
    };
}

/// Every file of the solutions, by path from the repository root, as built:
/// what a page can show as "the code of this step".
///
/// Not the starting point, `workshop/app`: learners edit it, and every edit
/// would rebuild this crate, and `cargo check-work` with it.
pub const SOLUTION_FILES: &[(&str, &str)] = &[
    solution!("step-1/Cargo.toml"),
    solution!("step-1/src/main.rs"),
    solution!("step-2/Cargo.toml"),
    solution!("step-2/src/main.rs"),
    solution!("step-6/Cargo.toml"),
    solution!("step-6/src/main.rs"),
];

/// The contents of a solution file by its path, if it is one.
pub fn solution_file(path: &str) -> Option<&'static str> {
    SOLUTION_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// A `## ` section of WORKSHOP.md.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// `N` of a heading `## N. Title`; `None` for unnumbered sections.
    pub number: Option<u8>,
    /// The heading's text after the number.
    pub title: &'a str,
    /// The Markdown from the heading (included) to the next `## ` heading.
    pub markdown: &'a str,
    /// Its fenced code blocks, in order.
    pub blocks: Vec<CodeBlock<'a>>,
}

/// A fenced code block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock<'a> {
    /// The language after the fence (`rust`, `toml`, `sh`, `promql`, …).
    pub lang: &'a str,
    /// The lines between the fences, each ending with a newline.
    pub code: String,
    /// The mark on the line before the fence: `("from", path)` or
    /// `("answer", exercise id)`.
    pub mark: Option<(&'a str, &'a str)>,
    /// 1-based line of the opening fence in the whole document.
    pub line: usize,
}

/// Reads a mark comment: `<!-- key value -->`.
fn mark(line: &str) -> Option<(&str, &str)> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let (key, value) = inner.split_once(' ')?;
    matches!(key, "from" | "answer").then(|| (key, value.trim()))
}

/// WORKSHOP.md's `## ` sections (the text before the first one is left out).
pub fn sections(markdown: &str) -> Vec<Section<'_>> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    let mut in_fence = false;
    for line in markdown.split_inclusive('\n') {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with("## ") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(markdown.len());
    starts
        .windows(2)
        .map(|pair| section(markdown, pair[0], pair[1]))
        .collect()
}

fn section(document: &str, start: usize, end: usize) -> Section<'_> {
    let markdown = &document[start..end];
    let heading = markdown.lines().next().unwrap_or_default();
    let heading = heading.trim_start_matches('#').trim();
    let (number, title) = match heading.split_once(". ") {
        Some((n, title)) if n.parse::<u8>().is_ok() => (n.parse().ok(), title),
        _ => (None, heading),
    };
    let first_line = document[..start].lines().count() + 1;
    Section {
        number,
        title,
        markdown,
        blocks: code_blocks(markdown, first_line),
    }
}

fn code_blocks(markdown: &str, first_line: usize) -> Vec<CodeBlock<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<CodeBlock<'_>> = None;
    let mut previous = "";
    for (i, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(CodeBlock {
                    lang: lang.trim(),
                    code: String::new(),
                    mark: mark(previous),
                    line: first_line + i,
                });
            }
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some(block), _) => {
                block.code.push_str(line);
                block.code.push('\n');
            }
            (None, None) => {}
        }
        previous = line;
    }
    blocks
}

/// The lines an excerpt leaves out are marked by a line that is only a
/// comment with an ellipsis.
pub fn is_elision(line: &str) -> bool {
    matches!(line.trim(), "// …" | "# …")
}

/// Where each run of an excerpt's lines sits in `file`, as 0-based
/// line ranges: runs are separated by elision lines, must appear in order,
/// each exactly and contiguously. `None` if the excerpt is not in the file.
pub fn locate_excerpt(excerpt: &str, file: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let file_lines: Vec<&str> = file.lines().collect();
    let mut runs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in excerpt.lines() {
        if is_elision(line) {
            runs.push(Vec::new());
        } else if let Some(run) = runs.last_mut() {
            run.push(line);
        }
    }
    let mut from = 0;
    let mut found = Vec::new();
    for run in runs.iter().filter(|run| !run.is_empty()) {
        let at = (from..=file_lines.len().saturating_sub(run.len()))
            .find(|&i| file_lines[i..].starts_with(run))?;
        found.push(at..at + run.len());
        from = at + run.len();
    }
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\nintro\n## 1. First\ntext\n<!-- from a.rs -->\n```rust\nfn a() {}\n\n// …\nfn c() {}\n```\n## Notes\n```sh\n## not a heading\n```\n";

    #[test]
    fn reads_sections_and_marked_blocks() {
        let sections = sections(DOC);
        assert_eq!(sections.len(), 2);
        assert_eq!((sections[0].number, sections[0].title), (Some(1), "First"));
        assert_eq!((sections[1].number, sections[1].title), (None, "Notes"));
        assert_eq!(
            sections[0].blocks,
            [CodeBlock {
                lang: "rust",
                code: "fn a() {}\n\n// …\nfn c() {}\n".to_owned(),
                mark: Some(("from", "a.rs")),
                line: 6,
            }]
        );
        assert_eq!(sections[1].blocks[0].code, "## not a heading\n");
        assert_eq!(sections[1].blocks[0].mark, None);
        assert!(sections[1].markdown.starts_with("## Notes\n"));
    }

    #[test]
    fn locates_excerpts_with_elisions() {
        let file = "fn a() {}\n\nfn b() {}\nfn c() {}\n";
        assert_eq!(
            locate_excerpt("fn a() {}\n\n// …\nfn c() {}\n", file),
            Some(vec![0..2, 3..4])
        );
        assert_eq!(
            locate_excerpt("fn b() {}\nfn c() {}\n", file),
            Some(std::iter::once(2..4).collect())
        );
        // Out of order, not contiguous, or not there at all.
        assert_eq!(locate_excerpt("fn c() {}\n// …\nfn a() {}\n", file), None);
        assert_eq!(locate_excerpt("fn a() {}\nfn b() {}\n", file), None);
        assert_eq!(locate_excerpt("fn d() {}\n", file), None);
        assert_eq!(locate_excerpt("// …\n", file), None);
    }
}
