//! What one request executes, measured under valgrind: unlike time on a shared VM, the same on every run. The
//! running bench binary re-runs itself in a profile mode (`FACETHEORY_BENCH_PROFILE`) for two fixed request counts
//! (`FACETHEORY_BENCH_ITERS`); the difference, divided, is one request without start-up.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Instructions and simulated instruction-cache misses per request.
#[derive(Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) instructions: u64,
    pub(crate) i1_misses: u64,
}

/// cachegrind's counts per request in `mode`, with an L1 instruction cache of `l1i` bytes (8-way, 64-byte lines)
/// or the machine's own when `None`. `None` without valgrind.
pub(crate) fn counts(mode: &str, l1i: Option<u32>) -> Option<Counts> {
    let exe = std::env::current_exe().ok()?;
    let run = |n: u64| -> Option<Counts> {
        let mut valgrind = Command::new("valgrind");
        valgrind.args(["--tool=cachegrind", "--cache-sim=yes", "--cachegrind-out-file=/dev/null"]);
        if let Some(size) = l1i {
            valgrind.arg(format!("--I1={size},8,64"));
        }
        let out = profiled(valgrind, &exe, mode, n)?;
        let text = String::from_utf8_lossy(&out.stderr);
        // `==pid== I   refs:      1,234,567` and `==pid== I1  misses:     12,345`
        let figure = |what: &str, name: &str| -> Option<u64> {
            let line = text.lines().find(|l| {
                let mut words = l.split_whitespace().skip(1);
                words.next() == Some(what) && words.next() == Some(name)
            })?;
            line.split_whitespace().nth(3)?.replace(',', "").parse().ok()
        };
        Some(Counts { instructions: figure("I", "refs:")?, i1_misses: figure("I1", "misses:")? })
    };
    let (few, many) = (run(100)?, run(600)?);
    Some(Counts {
        instructions: (many.instructions.saturating_sub(few.instructions)) / 500,
        i1_misses: (many.i1_misses.saturating_sub(few.i1_misses)) / 500,
    })
}

/// The code one request runs through: its distinct instructions, their bytes, and the 64-byte cache lines
/// holding them. What must fit in the L1 instruction cache for a request not to refetch its own code.
#[derive(Clone, Copy)]
pub(crate) struct Footprint {
    pub(crate) instructions: usize,
    pub(crate) bytes: usize,
    pub(crate) lines: usize,
}

/// Requests of each run: an instruction run at least once more per extra request belongs to every request.
const FEW: u32 = 3;
const MANY: u32 = 9;

/// The code footprint of one request in `mode`, from valgrind's lackey trace of every instruction executed
/// (`FEW` and `MANY` requests: the instructions executed at least once per extra request). `None` without
/// valgrind.
pub(crate) fn footprint(mode: &str) -> Option<Footprint> {
    let exe = std::env::current_exe().ok()?;
    let trace = |n: u32| -> Option<HashMap<u64, (u32, u8)>> {
        let log = std::env::temp_dir().join(format!("facetheory-lackey-{}-{mode}-{n}.log", std::process::id()));
        let mut valgrind = Command::new("valgrind");
        valgrind.args(["--tool=lackey", "--trace-mem=yes"]).arg(format!("--log-file={}", log.display()));
        let ran = profiled(valgrind, &exe, mode, u64::from(n)).is_some_and(|out| out.status.success());
        let executed = if ran { executed(&log) } else { None };
        let _ = std::fs::remove_file(&log);
        executed
    };
    // The two traces at once: each takes seconds, and the machine has two cores.
    let (few, many) = std::thread::scope(|s| {
        let few = s.spawn(|| trace(FEW));
        (few.join().ok().flatten(), trace(MANY))
    });
    let (few, many) = (few?, many?);
    let mut lines = std::collections::HashSet::new();
    let (mut instructions, mut bytes) = (0, 0);
    for (&addr, &(count, size)) in &many {
        let before = few.get(&addr).map_or(0, |&(c, _)| c);
        if count.saturating_sub(before) >= MANY - FEW {
            instructions += 1;
            bytes += usize::from(size);
            // An instruction may straddle two lines.
            lines.extend((addr >> 6)..=((addr + u64::from(size.max(1)) - 1) >> 6));
        }
    }
    Some(Footprint { instructions, bytes, lines: lines.len() })
}

/// Each instruction address in a lackey log (`I  0401ab70,3`) with how often it ran and its size.
fn executed(log: &Path) -> Option<HashMap<u64, (u32, u8)>> {
    use std::io::BufRead;
    let file = std::io::BufReader::new(std::fs::File::open(log).ok()?);
    let mut seen: HashMap<u64, (u32, u8)> = HashMap::new();
    for line in file.lines() {
        let line = line.ok()?;
        let Some(rest) = line.strip_prefix("I  ") else { continue };
        let (addr, size) = rest.split_once(',')?;
        let addr = u64::from_str_radix(addr, 16).ok()?;
        let size = size.trim().parse().ok()?;
        seen.entry(addr).or_insert((0, size)).0 += 1;
    }
    (!seen.is_empty()).then_some(seen)
}

/// glibc copies and fills of more than a few KiB with `rep movsb` / `rep stosb`, which valgrind counts as one
/// instruction per byte: an 8.7 KB copy would count as 8,700 instructions (as a vector loop, ≈ 860), and a page
/// that copies its body would look that much costlier. Raising the thresholds makes glibc use its vector loops.
const NO_REP_STRINGS: &str =
    "glibc.cpu.x86_rep_movsb_threshold=2147483647:glibc.cpu.x86_rep_stosb_threshold=2147483647";

/// Runs `valgrind` on this bench binary in profile mode `mode` for `n` requests.
fn profiled(mut valgrind: Command, exe: &Path, mode: &str, n: u64) -> Option<std::process::Output> {
    valgrind.arg(exe).env("GLIBC_TUNABLES", NO_REP_STRINGS);
    valgrind.env("FACETHEORY_BENCH_PROFILE", mode).env("FACETHEORY_BENCH_ITERS", n.to_string()).output().ok()
}
