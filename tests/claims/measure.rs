//! What `runtime.js` measured in one run: phases, each call's entry, each await's start and
//! resumption, each returned promise's settling, as (phase, generation) moments.

use serde_json::Value;

/// A moment: (phase, generation within the phase).
pub type Moment = (u64, u64);

pub struct Call {
    pub function: usize,
    pub entered: Moment,
}

pub struct Resume {
    pub call: usize,
    pub site: usize,
    pub at: Moment,
}

pub struct OperandRecord {
    pub call: usize,
    pub site: usize,
    pub started: Moment,
    /// When the operand settled, if it was a plain `Promise` (else it cannot be observed).
    pub settled: Option<Moment>,
}

pub struct Measured {
    pub phase_kinds: Vec<String>,
    pub calls: Vec<Call>,
    pub resumes: Vec<Resume>,
    /// (call, moment its returned promise settled).
    pub settles: Vec<(usize, Moment)>,
    pub operands: Vec<OperandRecord>,
    /// Marks made outside a counted phase: the instrument failed.
    pub errors: Vec<String>,
}

fn number(value: &Value) -> Result<u64, String> {
    value
        .as_u64()
        .ok_or_else(|| format!("expected a number, got {value}"))
}

fn moment(value: &Value) -> Result<Moment, String> {
    Ok((number(&value[0])?, number(&value[1])?))
}

fn rows(json: &Value, key: &str) -> Result<Vec<Value>, String> {
    json[key]
        .as_array()
        .cloned()
        .ok_or_else(|| format!("no `{key}` in the measurement"))
}

/// Parses the `__CLAIMS__{json}` line `runtime.js` writes to stderr at exit.
pub fn parse(stderr: &str) -> Result<Measured, String> {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("__CLAIMS__"))
        .ok_or("the run wrote no measurement (did it exit normally?)")?;
    let json: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let mut measured = Measured {
        phase_kinds: rows(&json, "phaseKinds")?
            .iter()
            .map(|k| k.as_str().unwrap_or_default().to_owned())
            .collect(),
        calls: Vec::new(),
        resumes: Vec::new(),
        settles: Vec::new(),
        operands: Vec::new(),
        errors: rows(&json, "errors")?
            .iter()
            .map(|e| e.as_str().unwrap_or_default().to_owned())
            .collect(),
    };
    for row in rows(&json, "calls")? {
        measured.calls.push(Call {
            function: number(&row[0])? as usize,
            entered: (number(&row[1])?, number(&row[2])?),
        });
    }
    for row in rows(&json, "resumes")? {
        measured.resumes.push(Resume {
            call: number(&row[0])? as usize,
            site: number(&row[1])? as usize,
            at: (number(&row[2])?, number(&row[3])?),
        });
    }
    for row in rows(&json, "settles")? {
        measured.settles.push((
            number(&row[0])? as usize,
            (number(&row[1])?, number(&row[2])?),
        ));
    }
    for row in rows(&json, "operands")? {
        measured.operands.push(OperandRecord {
            call: number(&row[0])? as usize,
            site: number(&row[1])? as usize,
            started: moment(&row[2])?,
            settled: if row[3].is_null() {
                None
            } else {
                Some(moment(&row[3])?)
            },
        });
    }
    Ok(measured)
}

/// Generations from `from` to `to`, when both are in the same phase and `to` is not earlier.
pub fn ticks_between(from: Moment, to: Moment) -> Option<u64> {
    (from.0 == to.0 && to.1 >= from.1).then(|| to.1 - from.1)
}
