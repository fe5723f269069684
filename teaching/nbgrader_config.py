"""nbgrader configuration for courses taught with the Torchbook kernel (Rust).

nbgrader knows Python, R, MATLAB, Octave, SAS and Java; for Rust it needs the code stub a
student sees in place of a solution, and AutoTest needs the comment mark by kernel name. Copy
this file into the course directory (where `source/` is) and run `nbgrader generate_assignment`
and `nbgrader autograde` there, as tests/test_nbgrader.py does.
"""

c = get_config()  # noqa: F821 (defined by nbgrader when it loads this file)

c.CourseDirectory.course_id = "torchbook"

# What replaces `// BEGIN SOLUTION` ... `// END SOLUTION` in the student's version: it compiles in
# any function body (`todo!()` has type `!`) and panics when called, so its tests score 0.
c.ClearSolutions.code_stub = {"rust": "// YOUR CODE HERE\ntodo!()"}
c.ClearSolutions.begin_solution_delimeter = "// BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "// END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "// BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "// END HIDDEN TESTS"

# AutoTest (`### AUTOTEST` lines) looks these up by kernel name.
c.InstantiateTests.comment_strs = {"torchbook": "//"}
c.InstantiateTests.sanitizers = {"torchbook": lambda s: s.strip('"')}

# nbgrader's default is 30 s per cell. A cell's first compile in a kernel without a ready
# standby takes up to 15 s on 2 cores, and assignment 3's hidden test trains a model.
c.Execute.timeout = 180
