//! `ticklens order FILE --timeline`: the engine's [`Timeline`] drawn as lanes in the terminal,
//! or as JSON (`--format json`, the shape of `ide::timeline_json`).
//!
//! Text: one column per lane, a `●` where a step runs (with its tick for a microtask), then the
//! step's `file:line` and cause; under it each printed line with its `file:line`. Plain text,
//! no colour, lines cut to 80 columns.

use crate::engine::{Lane, Timeline};
use crate::line_index::{Encoding, LineIndex};

/// The width text output keeps to.
const WIDTH: usize = 80;
/// The width of one lane's column.
const LANE_WIDTH: usize = 6;

/// Short lane headers, in [`Lane::ALL`]'s order.
fn header(lane: Lane) -> &'static str {
    match lane {
        Lane::Main => "sync",
        Lane::NextTick => "tick",
        Lane::Microtask => "micro",
        Lane::Timers => "timer",
        Lane::Io => "io",
        Lane::Check => "check",
    }
}

/// The timeline as text; `name` is how the file is shown (`ordering.js`).
pub fn render_text(timeline: &Timeline, text: &str, name: &str) -> String {
    let index = LineIndex::new(text);
    let line_of = |offset: usize| index.position(text, offset, Encoding::Utf16).line + 1;
    let mut out = String::new();
    let headers: String = Lane::ALL
        .iter()
        .map(|lane| format!("{:<LANE_WIDTH$}", header(*lane)))
        .collect();
    push_line(&mut out, &format!("{headers}step"));
    let grid_width = LANE_WIDTH * Lane::ALL.len();
    for step in &timeline.steps {
        let column = Lane::ALL
            .iter()
            .position(|lane| *lane == step.lane)
            .unwrap_or(0);
        let mark = match step.tick {
            Some(tick) => format!("●{tick}"),
            None => "●".to_owned(),
        };
        let mut grid = " ".repeat(column * LANE_WIDTH);
        grid.push_str(&format!("{mark:<LANE_WIDTH$}"));
        let grid = format!("{grid:<grid_width$}");
        let place = match &step.range {
            Some(range) => format!("{name}:{}", line_of(range.start)),
            None => "(no code of the file)".to_owned(),
        };
        let rail = format!(
            "{:<grid_width$}",
            format!("{}│", " ".repeat(column * LANE_WIDTH))
        );
        push_wrapped(&mut out, &format!("{grid}{place}  "), &rail, &step.cause);
        for print in &step.printed {
            let at = format!("{name}:{}", line_of(print.range.start));
            push_line(&mut out, &format!("{rail}  {at}  > {}", print.text));
        }
    }
    if !timeline.waits.is_empty() {
        push_line(&mut out, "then, in an order Node does not fix, waits on:");
        for wait in &timeline.waits {
            push_wrapped(&mut out, "  ", "    ", wait);
        }
    }
    if let Some(stopped) = &timeline.stopped {
        let at = stopped
            .range
            .as_ref()
            .map(|range| format!("{name}:{}: ", line_of(range.start)))
            .unwrap_or_default();
        push_wrapped(
            &mut out,
            "stopped: ",
            "  ",
            &format!("{at}{}", stopped.reason),
        );
    }
    out
}

/// `first` then `text` word-wrapped to [`WIDTH`], its later lines after `indent` (or under
/// `first` when it is wider than the indent, so a lane's rail continues).
fn push_wrapped(out: &mut String, first: &str, indent: &str, text: &str) {
    let mut line = first.to_owned();
    let mut fresh = true;
    for word in text.split_whitespace() {
        if !fresh && line.chars().count() + 1 + word.chars().count() > WIDTH {
            push_line(out, &line);
            line = format!(
                "{indent:<width$}",
                width = first.chars().count().min(WIDTH / 2)
            );
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    push_line(out, &line);
}

/// Appends `line` cut to [`WIDTH`] characters (an ellipsis marks the cut).
fn push_line(out: &mut String, line: &str) {
    let line = line.trim_end();
    match line.char_indices().nth(WIDTH - 1) {
        Some((cut, _)) if line.chars().count() > WIDTH => {
            out.push_str(&line[..cut]);
            out.push('…');
        }
        _ => out.push_str(line),
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, ModuleKind};

    fn text_of(source: &str) -> String {
        let tree = crate::syntax::parse(source, None);
        render_text(
            &engine::timeline(source, &tree, ModuleKind::CommonJs),
            source,
            "f.js",
        )
    }

    #[test]
    fn every_line_keeps_to_80_columns() {
        let long = "x".repeat(200);
        let text = text_of(&format!(
            "setTimeout(function aVeryLongNameForATimerCallbackThatGoesOnAndOn() {{ console.log('{long}'); }}, 10);\n"
        ));
        assert!(
            text.lines().all(|line| line.chars().count() <= WIDTH),
            "{text}"
        );
        assert!(text.contains("●"), "{text}");
    }

    #[test]
    fn a_microtask_step_shows_its_tick_in_its_lane() {
        let text = text_of("Promise.resolve().then(() => console.log('B'));\nconsole.log('A');\n");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("sync  tick  micro"), "{text}");
        assert!(lines[1].starts_with("●     "), "{text}");
        let job = lines
            .iter()
            .position(|line| line.starts_with("            ●1"));
        let printed = lines.iter().position(|line| line.ends_with("f.js:1  > B"));
        assert!(job.is_some() && job < printed, "{text}");
    }
}
