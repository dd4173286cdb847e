//! Loads fzc plugins (work in progress).
