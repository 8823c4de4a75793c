//! Driving a real viewer window under a private Xvfb with xdotool: the
//! server, the viewer process, its output and screenshots of the window.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use pointillist::Image;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pointillist"))
}

/// Stops and reaps a child process when dropped, also when a test panics:
/// SIGTERM first (Xvfb then removes its socket and lock file), SIGKILL after 5 s.
pub struct Reaper {
    pub child: Child,
    pub name: &'static str,
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            eprintln!("stopping {}", self.name);
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// Runs `cmd` to completion, killing it after `limit`.
pub fn run_for(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} took over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Starts `Xvfb :N` on a free display number; returns it with its guard.
pub fn start_xvfb() -> (String, Reaper) {
    let first = 90 + std::process::id() % 50;
    for n in (first..first + 60).map(|n| 90 + (n - 90) % 100) {
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        if socket.exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut guard = Reaper {
            child,
            name: "Xvfb",
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if socket.exists() {
                return (format!(":{n}"), guard);
            }
            if guard.child.try_wait().unwrap().is_some() {
                break; // taken meanwhile: try the next number
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("could not start Xvfb on any display number");
}

/// The viewer's stdout, line by line, from a reader thread.
pub fn lines(child: &mut Child) -> Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(|l| l.ok()) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub struct X {
    pub display: String,
}

impl X {
    pub fn xdotool(&self, args: &[&str]) -> String {
        let o = run_for(
            Command::new("xdotool")
                .args(args)
                .env("DISPLAY", &self.display),
            Duration::from_secs(30),
        );
        assert!(
            o.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

/// Parses `saved PATH --width W --height H --x-range .. --y-range .. ...`.
pub fn parse_saved(line: &str) -> (PathBuf, Vec<String>) {
    let mut words = line.split_whitespace();
    assert_eq!(words.next(), Some("saved"), "{line}");
    let path = PathBuf::from(words.next().expect("a path"));
    (path, words.map(str::to_string).collect())
}

pub fn flag(flags: &[String], name: &str, i: usize) -> f64 {
    let at = flags
        .iter()
        .position(|f| f == name)
        .unwrap_or_else(|| panic!("{name} missing from {flags:?}"));
    flags[at + 1 + i].parse().unwrap()
}

/// A viewer under its own Xvfb, its window focused.
pub struct Session {
    pub x: X,
    pub wid: String,
    pub stdout: Receiver<String>,
    pub log: PathBuf,
    pub viewer: Reaper,
    _xvfb: Reaper,
}

impl Session {
    pub fn open(dir: &Path, args: &[String]) -> Session {
        Session::open_env(dir, args, &[])
    }

    /// [`Session::open`] with these environment variables set for the viewer.
    pub fn open_env(dir: &Path, args: &[String], env: &[(&str, &str)]) -> Session {
        let (display, xvfb) = start_xvfb();
        let x = X { display };
        let log = dir.join("viewer-stderr.txt");
        let mut child = bin()
            .arg("view")
            .args(args)
            .arg("--screenshot-dir")
            .arg(dir)
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start pointillist view");
        let stdout = lines(&mut child);
        let viewer = Reaper {
            child,
            name: "pointillist view",
        };
        let wid = x.xdotool(&[
            "search",
            "--sync",
            "--onlyvisible",
            "--name",
            "^pointillist",
        ]);
        let wid = wid.lines().next().expect("a window id").to_string();
        x.xdotool(&["windowfocus", "--sync", &wid]);
        Session {
            x,
            wid,
            stdout,
            log,
            viewer,
            _xvfb: xvfb,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// S, until the viewer prints a saved screenshot's line (a key may be
    /// missed while the window is busy); None after three tries.
    pub fn save_line(&self) -> Option<String> {
        for _ in 0..3 {
            self.x.xdotool(&["key", "s"]);
            if let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(15)) {
                return Some(line);
            }
        }
        None
    }

    /// S, until a screenshot is saved: its path and printed flags.
    pub fn save(&self) -> (PathBuf, Vec<String>) {
        let line = self
            .save_line()
            .unwrap_or_else(|| panic!("no screenshot saved; viewer said:\n{}", self.log()));
        parse_saved(&line)
    }

    /// The window as it is on screen now (after a moment to draw).
    pub fn grab(&self, dir: &Path, name: &str) -> Image {
        std::thread::sleep(Duration::from_millis(1200));
        let path = dir.join(format!("{name}.png"));
        let o = run_for(
            Command::new("import")
                .args(["-window", &self.wid, "-depth", "8"])
                .arg(format!("PNG24:{}", path.display()))
                .env("DISPLAY", &self.x.display),
            Duration::from_secs(30),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        Image::open_png(&path).unwrap()
    }

    /// The next line the viewer prints, within 15 s.
    pub fn next_line(&self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("the viewer printed nothing; it said:\n{}", self.log()))
    }

    pub fn quit(mut self) {
        self.x.xdotool(&["key", "q"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.viewer.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "viewer did not quit:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn rgb(img: &Image, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * img.width + x) * 4) as usize;
    [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]]
}

/// Pixels of `img` in the rectangle that differ from `other`.
pub fn changed(img: &Image, other: &Image, [x0, y0, x1, y1]: [u32; 4]) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            n += (rgb(img, x, y) != rgb(other, x, y)) as usize;
        }
    }
    n
}
