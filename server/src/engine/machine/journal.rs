//! An undo journal for the machine's tables (heap, scopes, activations,
//! generators, flags, counters): after [`Journal::mark`], the first write to
//! an item that existed at the mark saves the item, so [`Journal::roll_back`]
//! brings the table back to the mark in time proportional to what changed,
//! not to the table's size. Marks nest: the symbolic entries
//! (`symbolic_entries.rs`) start each entry from the state the program's run
//! left, and the functions an entry creates from the state that entry left.

use std::ops::{Deref, Index, IndexMut};

#[derive(Debug)]
pub(crate) struct Journal<T> {
    items: Vec<T>,
    /// Per item, the generation of the mark level that saved it last.
    stamps: Vec<u32>,
    /// Saved items, oldest first: (index, the item before the write).
    log: Vec<(usize, T)>,
    /// Open marks, innermost last.
    marks: Vec<Mark>,
    next_generation: u32,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    /// Items at the mark: the later ones are dropped at a roll-back.
    len: usize,
    /// Where this mark's part of the log starts.
    log_start: usize,
    /// Stamp of the items saved since the mark (or its last roll-back).
    generation: u32,
}

impl<T> Default for Journal<T> {
    fn default() -> Self {
        Journal {
            items: Vec::new(),
            stamps: Vec::new(),
            log: Vec::new(),
            marks: Vec::new(),
            next_generation: 0,
        }
    }
}

impl<T> From<Vec<T>> for Journal<T> {
    fn from(items: Vec<T>) -> Self {
        Journal {
            items,
            ..Journal::default()
        }
    }
}

impl<T> Deref for Journal<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> Index<usize> for Journal<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.items[index]
    }
}

impl<T: Clone> IndexMut<usize> for Journal<T> {
    fn index_mut(&mut self, index: usize) -> &mut T {
        if let Some(mark) = self.marks.last() {
            if index < mark.len {
                if self.stamps.len() < mark.len {
                    self.stamps.resize(mark.len, 0);
                }
                if self.stamps[index] != mark.generation {
                    self.stamps[index] = mark.generation;
                    self.log.push((index, self.items[index].clone()));
                }
            }
        }
        &mut self.items[index]
    }
}

impl<T: Clone> Journal<T> {
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        (index < self.items.len()).then(|| &mut self[index])
    }

    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    fn generation(&mut self) -> u32 {
        self.next_generation += 1;
        self.next_generation
    }

    /// Starts recording: [`Journal::roll_back`] returns to this state.
    pub fn mark(&mut self) {
        let generation = self.generation();
        self.marks.push(Mark {
            len: self.items.len(),
            log_start: self.log.len(),
            generation,
        });
    }

    /// Back to the innermost mark's state; the mark stays open.
    pub fn roll_back(&mut self) {
        let Some(mark) = self.marks.last().copied() else {
            return;
        };
        while self.log.len() > mark.log_start {
            if let Some((index, item)) = self.log.pop() {
                self.items[index] = item;
            }
        }
        self.items.truncate(mark.len);
        let generation = self.generation();
        if let Some(last) = self.marks.last_mut() {
            last.generation = generation;
        }
    }

    /// Closes the innermost mark, keeping the state as it is. Its saved
    /// items stay in the log for an outer mark's roll-back, which restores
    /// the oldest copy of each item last.
    pub fn unmark(&mut self) {
        self.marks.pop();
        if self.marks.is_empty() {
            self.log.clear();
            self.stamps.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Journal;

    #[test]
    fn roll_back_restores_writes_and_drops_new_items() {
        let mut journal = Journal::from(vec![1, 2, 3]);
        journal.mark();
        journal[0] = 10;
        journal[0] = 11;
        journal.push(4);
        journal[3] = 40;
        assert_eq!(&*journal, &[11, 2, 3, 40]);
        journal.roll_back();
        assert_eq!(&*journal, &[1, 2, 3]);
        // The mark stays: a second run rolls back as well.
        journal[1] = 20;
        journal.roll_back();
        assert_eq!(&*journal, &[1, 2, 3]);
    }

    #[test]
    fn nested_marks_roll_back_to_their_own_state() {
        let mut journal = Journal::from(vec![1, 2]);
        journal.mark();
        journal[0] = 10;
        journal.push(3);
        journal.mark();
        journal[0] = 100;
        journal[2] = 30;
        journal[1] = 20;
        journal.roll_back();
        assert_eq!(&*journal, &[10, 2, 3]);
        journal[1] = 21;
        journal.unmark();
        assert_eq!(&*journal, &[10, 21, 3]);
        journal.roll_back();
        assert_eq!(&*journal, &[1, 2]);
        journal.unmark();
        journal[0] = 5;
        assert_eq!(&*journal, &[5, 2]);
    }
}
