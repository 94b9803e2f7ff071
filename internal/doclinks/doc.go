// Package doclinks holds only a test: every link in the project's Markdown
// (README, docs/, testdata/realdata) leads to a file of the repository, and
// to a heading that exists when it names one. The project's documentation
// must stand on its own, without a sibling folder or a dead anchor.
package doclinks
