/* Edited by the test: a change here must regenerate the precompiled sources. */
#define GREETING "counting from"
