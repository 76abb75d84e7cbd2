package dev.bascule.explain;

import dev.bascule.route.RequestFields;

/**
 * A question's method and headers as a route's conditions read them, the way the proxy reads a request head:
 * names without case, one header line equal to the value is enough, the first Cookie line holds the cookies.
 *
 * <p>Immutable.
 */
record QuestionFields(Question question) implements RequestFields {

    @Override
    public String method() {
        return question.method();
    }

    @Override
    public CharSequence field(String name) {
        return question.header(name);
    }

    @Override
    public boolean hasField(String name, String value) {
        for (Question.Header h : question.headers()) {
            if (h.name().equalsIgnoreCase(name) && h.value().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
