//! The viewer's memory over a long session of random input.
//!
//! A million points under a private Xvfb, driven by xdotool with a seeded
//! random script: wheel zooms at random places, pans, box zooms, lassos and
//! box selections (replace, add, subtract, clear), hovers, mode, colourmap and
//! aggregate cycling, help on and off, resets. After a warm-up that visits
//! every mode, colourmap and kind of input, and as long a run of random input
//! as the one measured (at most a minute), the viewer is brought to rest in
//! one state (home view, splat, nothing selected), where it gives its
//! allocator's free memory back to the OS and prints (`-v`) what it holds;
//! after the random run, again. What pointillist holds — its heap (the
//! binary's counting allocator) and the GPU memory of its buffers and
//! textures — must be within 5 %: a leak grows it. glibc's total, which
//! also holds the GPU driver's caches, is reported, not bounded.
//! Resident memory must stay under the most the warm-up held: see the
//! bound's comment for why not within 5 %. Memory sampled once a second in
//! between is reported, not bounded: it holds each frame's working memory
//! and each selection's highlight.
//!
//! It failed until the viewer fixed glibc's mmap threshold
//! (`mem::give_back_freed_memory`): the dynamic threshold let freed frame
//! buffers come back from the heap, whose holes kept 262 -> 325 MB resident
//! after 90 s here. `cargo test` runs 60 s (`POINTILLIST_SOAK_SECONDS`);
//! `scripts/soak [SECONDS]` runs ten minutes by default.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::ci;
use common::window::{on_path, Session, X};
use rand::{rngs::StdRng, RngExt, SeedableRng};

const WIDTH: u32 = 800;
const HEIGHT: u32 = 600;

/// Resident set size of a process in bytes, from /proc.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("viewer alive");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status");
    kb * 1024
}

/// What the viewer holds at rest, from its `-v` line (`pointillist at rest:
/// R MB resident, A MB allocated, H MB heap, G MB GPU`), printed a second
/// after its last frame once its allocator's free memory went back to the OS.
#[derive(Clone, Copy, Debug)]
struct Rest {
    resident: f64,
    /// glibc's count: the GPU driver's memory and shader caches included.
    allocated: f64,
    /// What Rust code holds on the heap (the binary's counting allocator).
    heap: f64,
    /// GPU memory handed out for buffers and textures (None: no report).
    gpu: Option<f64>,
}

impl Rest {
    /// What pointillist itself holds: its heap and its GPU buffers and textures.
    fn own(&self) -> f64 {
        self.heap + self.gpu.unwrap_or(0.0)
    }
}

/// The last `-v` resting line of `log`, with how many there are.
fn last_rest(log: &str) -> (usize, Option<Rest>) {
    let lines: Vec<&str> = log
        .lines()
        .filter_map(|l| l.strip_prefix("pointillist at rest: "))
        .collect();
    let parse = |l: &str| {
        // "R MB resident, A MB allocated, H MB heap, G MB GPU" ("?" where unknown).
        let field = |name: &str| {
            l.split(", ")
                .find_map(|part| part.strip_suffix(name)?.strip_suffix(" MB "))
                .map(|v| v.parse::<f64>().ok())
        };
        Some(Rest {
            resident: field("resident")??,
            allocated: field("allocated")??,
            heap: field("heap")??,
            gpu: field("GPU")?,
        })
    };
    (lines.len(), lines.last().and_then(|l| parse(l)))
}

/// Back to one state — the home view in splat mode, nothing selected — and
/// idle for a few seconds: the viewer's memory there, to compare like with like.
fn at_rest(s: &Session) -> Rest {
    let (x, wid) = (&s.x, &s.wid);
    let (before, _) = last_rest(&s.log());
    x.xdotool(&["key", "Delete"]);
    x.xdotool(&["key", "r"]);
    for _ in 0..12 {
        std::thread::sleep(Duration::from_millis(400));
        let title = x.xdotool(&["getwindowname", wid]);
        if title.contains("— Splat") && !title.contains("selected") {
            break;
        }
        if !title.contains("— Splat") {
            x.xdotool(&["key", "m"]);
        } else {
            x.xdotool(&["key", "Delete"]);
        }
    }
    std::thread::sleep(Duration::from_secs(4));
    let (now, rest) = last_rest(&s.log());
    assert!(
        now > before,
        "no resting line from the viewer:\n{}",
        s.log()
    );
    rest.expect("a resting line of resident, allocated, heap and GPU figures")
}

/// One random input: what a person exploring the plot does.
fn act(x: &X, wid: &str, rng: &mut StdRng, kind: usize) {
    let pos = |rng: &mut StdRng| {
        [
            rng.random_range(10..WIDTH - 10).to_string(),
            rng.random_range(10..HEIGHT - 10).to_string(),
        ]
    };
    let mv = |p: &[String; 2]| x.xdotool(&["mousemove", "--window", wid, &p[0], &p[1]]);
    let drag = |rng: &mut StdRng, button: &str, steps: usize| {
        mv(&pos(rng));
        x.xdotool(&["mousedown", button]);
        for _ in 0..steps {
            mv(&pos(rng));
        }
        x.xdotool(&["mouseup", button]);
    };
    match kind {
        // Wheel in and out at the cursor (in a little more often than out,
        // then a reset now and then keeps the view near the data).
        0 | 1 => {
            mv(&pos(rng));
            let b = if rng.random_bool(0.55) { "4" } else { "5" };
            x.xdotool(&["click", "--repeat", &rng.random_range(1..4).to_string(), b]);
        }
        2 => drag(rng, "1", 3),
        3 => drag(rng, "3", 1),
        // Lasso and box selection, with shift (add) or alt (subtract) at times.
        4 | 5 => {
            let modifier = ["ctrl", "ctrl+shift", "ctrl+alt"][rng.random_range(0..3)];
            x.xdotool(&["keydown", modifier]);
            if kind == 4 {
                drag(rng, "1", 6);
            } else {
                drag(rng, "3", 1);
            }
            x.xdotool(&["keyup", modifier]);
        }
        6 => {
            for _ in 0..4 {
                mv(&pos(rng));
            }
        }
        7 => {
            x.xdotool(&["key", "m"]);
        }
        8 => {
            x.xdotool(&["key", "c"]);
        }
        9 => {
            x.xdotool(&["key", "a"]);
        }
        10 => {
            x.xdotool(&["key", "h"]);
        }
        11 => {
            x.xdotool(&["key", "Delete"]);
        }
        _ => {
            x.xdotool(&["key", "r"]);
        }
    }
    std::thread::sleep(Duration::from_millis(60));
}

#[test]
fn viewer_memory_stays_flat_over_random_input() {
    if common::gpu().is_none() {
        return;
    }
    if !on_path("Xvfb") || !on_path("xdotool") {
        assert!(!ci(), "CI=true and Xvfb or xdotool not installed");
        return;
    }
    let seconds: u64 = std::env::var("POINTILLIST_SOAK_SECONDS")
        .ok()
        .map(|s| s.parse().expect("POINTILLIST_SOAK_SECONDS: whole seconds"))
        .unwrap_or(60);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soak");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let args = [
        "--points",
        "1000000",
        "--dataset",
        "clusters",
        "--width",
        &WIDTH.to_string(),
        "--height",
        &HEIGHT.to_string(),
        "-v",
    ]
    .map(String::from);
    let s = Session::open(&dir, &args);
    let pid = s.viewer.child.id();
    let mut rng = StdRng::seed_from_u64(15);
    let started = rss(pid);
    // RSS once a second from a thread, whatever the input is doing.
    let samples = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (samples, stop) = (samples.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                samples.lock().unwrap().push(rss(pid));
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };

    // Warm-up: every mode, colourmap and aggregate (each twice round), every
    // kind of input a few times, so that every pipeline, buffer and cache the
    // session can use has been made once; then as long a run of random input
    // as the one measured, for what grows to its high-water mark (buffers
    // sized for the largest view so far, the blocks the GPU allocator keeps).
    for _ in 0..2 {
        for _ in 0..8 {
            act(&s.x, &s.wid, &mut rng, 8);
        }
        // Deep enough in that the automatic mode draws instanced points
        // (their GPU buffers are made on first use and kept: 24 MB here,
        // 2.1 -> 26.1 MB GPU at rest, that otherwise came at a random moment
        // of the measured run).
        let (cx, cy) = ((WIDTH / 2).to_string(), (HEIGHT / 2).to_string());
        s.x.xdotool(&["mousemove", "--window", &s.wid, &cx, &cy]);
        s.x.xdotool(&["click", "--repeat", "15", "--delay", "80", "4"]);
        std::thread::sleep(Duration::from_millis(500));
        act(&s.x, &s.wid, &mut rng, 6);
        act(&s.x, &s.wid, &mut rng, 12);
        for _ in 0..4 {
            act(&s.x, &s.wid, &mut rng, 7);
            for kind in [0, 2, 3, 4, 5, 6, 9, 10, 10, 11, 12] {
                act(&s.x, &s.wid, &mut rng, kind);
            }
        }
    }
    let end = Instant::now() + Duration::from_secs(seconds.min(60));
    while Instant::now() < end {
        let kind = rng.random_range(0..13);
        act(&s.x, &s.wid, &mut rng, kind);
    }
    let rest_before = at_rest(&s);
    let warm_samples = samples.lock().unwrap().len();

    let end = Instant::now() + Duration::from_secs(seconds);
    let mut actions = 0;
    while Instant::now() < end {
        let kind = rng.random_range(0..13);
        act(&s.x, &s.wid, &mut rng, kind);
        actions += 1;
    }
    let rest_after = at_rest(&s);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    sampler.join().unwrap();
    let samples = samples.lock().unwrap().clone();
    let (warm_up, after) = samples.split_at(warm_samples);
    let mb = |b: u64| b as f64 / 1e6;
    let warm = *warm_up.iter().max().unwrap();
    let peak = *after.iter().max().unwrap();
    let line: Vec<String> = after.iter().map(|&b| format!("{:.0}", mb(b))).collect();
    let show = |r: &Rest| {
        format!(
            "{:.0} MB resident, {:.1} MB allocated (own: {:.1} MB heap + {} MB GPU)",
            r.resident,
            r.allocated,
            r.heap,
            r.gpu.map_or("?".into(), |g| format!("{g:.1}"))
        )
    };
    eprintln!(
        "viewer memory: {:.0} MB resident at start; at rest (home view, splat, nothing \
         selected) {} after the warm-up (at most {:.0} MB resident during it) and {} after \
         {actions} random inputs in {seconds} s (at most {:.0} MB during them); resident \
         samples (MB): {}",
        mb(started),
        show(&rest_before),
        mb(warm),
        show(&rest_after),
        mb(peak),
        line.join(" ")
    );
    let log = s.log();
    assert!(!log.contains("panicked"), "{log}");
    s.quit();
    // What pointillist holds, not glibc's total: that one also counts the
    // GPU driver's shader variants, compiled on the first draw of each
    // pipeline state and kept, which came as steps of 17-53 MB at random
    // moments (a CI run: 109.2 -> 146.3 MB allocated with the heap and the
    // GPU's buffers flat), and went down again as well as up.
    assert!(
        rest_after.own() <= rest_before.own() * 1.05,
        "at rest what the viewer holds (heap and GPU buffers) grew from {:.1} MB to {:.1} MB \
         (more than 5 %): {} -> {}",
        rest_before.own(),
        rest_after.own(),
        show(&rest_before),
        show(&rest_after)
    );
    // Resident memory also holds what glibc's arenas cannot give back: pages
    // pinned by a few live blocks among freed ones (lavapipe's per-frame
    // blocks on its own threads). Before the random warm-up that drifted up
    // by steps while what was allocated stayed flat (226 -> 238 MB resident,
    // 155.9 -> 157.8 MB allocated over 240 s), so it is bounded by the most
    // the warm-up held: growth past every page it touched is not fragmentation.
    assert!(
        rest_after.resident <= mb(warm),
        "at rest the viewer holds {:.0} MB resident, more than the {:.0} MB it held at most \
         during the warm-up: {}",
        rest_after.resident,
        mb(warm),
        line.join(" ")
    );
}
