package dev.bascule;
public final class Main { public static void main(String[] a) {} }
