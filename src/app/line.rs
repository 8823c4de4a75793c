//! The viewer's expression line: a one-line editor (cursor, history) for a
//! new value or filter expression, opened with `e` or `f`. Pure state, fed
//! winit keys, so it is unit-tested without a window; the viewer compiles
//! what Enter submits, and [`ExprLine::add_to`] puts the line (with any
//! error and a caret under its column) into the frame's overlay.

use winit::keyboard::{Key, NamedKey};

use glam::Vec2;

use crate::expr::ExprError;
use crate::overlay::{Align, Label, Line as OverlayLine, Overlay};

/// What the line edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Value,
    Filter,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Value => "value",
            Role::Filter => "filter",
        }
    }
}

/// What a key did to the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Edited (or nothing): keep the line open.
    Editing,
    /// Enter: compile this text.
    Submit(String),
    /// Esc: close, changing nothing.
    Cancel,
}

/// The open line.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprLine {
    pub role: Role,
    pub text: String,
    /// Cursor position, in characters.
    pub cursor: usize,
    /// The last compile's error, shown until the text changes.
    pub error: Option<ExprError>,
    /// Where in the history up/down stand (None: the text being typed).
    browsing: Option<usize>,
    /// What was typed before browsing the history.
    draft: String,
}

impl ExprLine {
    /// A line for `role` starting from `text` (the current expression).
    pub fn new(role: Role, text: &str) -> ExprLine {
        ExprLine {
            role,
            text: text.to_string(),
            cursor: text.chars().count(),
            error: None,
            browsing: None,
            draft: String::new(),
        }
    }

    /// The text before the prompt.
    pub fn prompt(&self) -> String {
        format!("{} = ", self.role.name())
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(b, _)| b)
    }

    fn set(&mut self, text: String) {
        self.cursor = text.chars().count();
        self.text = text;
        self.error = None;
    }

    /// Apply one key; `history` is the earlier submitted lines, oldest first.
    pub fn key(&mut self, key: &Key, history: &[String]) -> Outcome {
        let len = self.text.chars().count();
        match key {
            Key::Named(NamedKey::Enter) => return Outcome::Submit(self.text.trim().to_string()),
            Key::Named(NamedKey::Escape) => return Outcome::Cancel,
            Key::Named(NamedKey::ArrowLeft) => self.cursor = self.cursor.saturating_sub(1),
            Key::Named(NamedKey::ArrowRight) => self.cursor = (self.cursor + 1).min(len),
            Key::Named(NamedKey::Home) => self.cursor = 0,
            Key::Named(NamedKey::End) => self.cursor = len,
            Key::Named(NamedKey::Backspace) if self.cursor > 0 => {
                let b = self.byte(self.cursor - 1);
                self.text.remove(b);
                self.cursor -= 1;
                self.error = None;
            }
            Key::Named(NamedKey::Delete) if self.cursor < len => {
                let b = self.byte(self.cursor);
                self.text.remove(b);
                self.error = None;
            }
            Key::Named(NamedKey::ArrowUp) if !history.is_empty() => {
                let at = match self.browsing {
                    None => {
                        self.draft = self.text.clone();
                        history.len() - 1
                    }
                    Some(i) => i.saturating_sub(1),
                };
                self.browsing = Some(at);
                self.set(history[at].clone());
            }
            Key::Named(NamedKey::ArrowDown) => match self.browsing {
                Some(i) if i + 1 < history.len() => {
                    self.browsing = Some(i + 1);
                    self.set(history[i + 1].clone());
                }
                Some(_) => {
                    self.browsing = None;
                    let draft = std::mem::take(&mut self.draft);
                    self.set(draft);
                }
                None => {}
            },
            Key::Named(NamedKey::Space) => self.insert(" "),
            Key::Character(c) => self.insert(c),
            _ => {}
        }
        Outcome::Editing
    }

    fn insert(&mut self, s: &str) {
        // Keep to what the language can read; the rest would only be a parse error.
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        let b = self.byte(self.cursor);
        self.text.insert_str(b, &s);
        self.cursor += s.chars().count();
        self.error = None;
    }

    /// What the window shows: the prompt and text with a bar at the cursor,
    /// and where (in characters of that string) the error's caret goes.
    pub fn shown(&self) -> (String, Option<usize>) {
        let b = self.byte(self.cursor);
        let shown = format!("{}{}|{}", self.prompt(), &self.text[..b], &self.text[b..]);
        let caret = self.error.as_ref().map(|e| {
            let bar = (self.cursor <= e.column) as usize;
            self.prompt().chars().count() + e.column + bar
        });
        (shown, caret)
    }
}

impl ExprLine {
    /// The expression line at the bottom of the window: the text with its
    /// cursor, and above it any error, with a caret under the column.
    pub fn add_to(&self, o: &mut Overlay, size: (u32, u32), scale: f32, back: [f64; 3]) {
        let line = self;
        let font = 15.0 * scale;
        let (w, h) = (size.0 as f32, size.1 as f32);
        let clip = [0.0, 0.0, w, h];
        let (text, caret) = line.shown();
        let bottom = h - 1.4 * font;
        // A band of the background behind the text, over whatever is drawn there.
        let rows = if line.error.is_some() { 3.9 } else { 2.6 };
        // Text under the band (tick labels, the x title) would show through it.
        let band_top = h - rows * font;
        o.labels.retain(|l| l.pos.y < band_top);
        o.lines.push(OverlayLine {
            a: Vec2::new(0.0, h - rows * font * 0.5),
            b: Vec2::new(w, h - rows * font * 0.5),
            width: rows * font,
            colour: crate::overlay::background_rgba(back, 240),
        });
        if let Some(e) = &line.error {
            o.labels.push(Label {
                text: format!("error: {}", e.message),
                pos: Vec2::new(8.0 * scale, bottom - 1.3 * font),
                h: Align::Start,
                v: Align::End,
                size: font,
                clip,
            });
        }
        o.labels.push(Label {
            text,
            pos: Vec2::new(8.0 * scale, bottom),
            h: Align::Start,
            v: Align::End,
            size: font,
            clip,
        });
        if let Some(k) = caret {
            o.carets.push((o.labels.len() - 1, k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(s: &str) -> Key {
        Key::Character(s.into())
    }

    fn named(k: NamedKey) -> Key {
        Key::Named(k)
    }

    #[test]
    fn typing_editing_and_submitting() {
        let mut l = ExprLine::new(Role::Value, "x");
        for k in [ch("+"), named(NamedKey::Space), ch("y")] {
            assert_eq!(l.key(&k, &[]), Outcome::Editing);
        }
        assert_eq!(l.text, "x+ y");
        l.key(&named(NamedKey::Home), &[]);
        l.key(&named(NamedKey::Delete), &[]);
        l.key(&ch("é"), &[]);
        assert_eq!((l.text.as_str(), l.cursor), ("é+ y", 1));
        l.key(&named(NamedKey::End), &[]);
        l.key(&named(NamedKey::Backspace), &[]);
        l.key(&named(NamedKey::ArrowLeft), &[]);
        l.key(&ch("2"), &[]);
        assert_eq!(l.text, "é+2 ");
        assert_eq!(
            l.key(&named(NamedKey::Enter), &[]),
            Outcome::Submit("é+2".into())
        );
        assert_eq!(l.key(&named(NamedKey::Escape), &[]), Outcome::Cancel);
    }

    #[test]
    fn history_walks_back_and_forward_to_the_draft() {
        let history = vec!["a".to_string(), "b".to_string()];
        let mut l = ExprLine::new(Role::Filter, "draft");
        l.key(&named(NamedKey::ArrowUp), &history);
        assert_eq!(l.text, "b");
        l.key(&named(NamedKey::ArrowUp), &history);
        l.key(&named(NamedKey::ArrowUp), &history);
        assert_eq!(l.text, "a");
        l.key(&named(NamedKey::ArrowDown), &history);
        assert_eq!(l.text, "b");
        l.key(&named(NamedKey::ArrowDown), &history);
        assert_eq!((l.text.as_str(), l.cursor), ("draft", 5));
    }

    #[test]
    fn the_caret_sits_under_the_errors_column() {
        let mut l = ExprLine::new(Role::Value, "x + ");
        l.error = crate::expr::Expr::value("x + ", &[]).err();
        let (shown, caret) = l.shown();
        assert_eq!(shown, "value = x + |");
        // The error is at column 4 (the end); the bar before it shifts it one on.
        assert_eq!(caret, Some(8 + 4 + 1));
        l.key(&ch("1"), &[]);
        assert_eq!(l.shown().1, None, "typing clears the error");
    }
}
