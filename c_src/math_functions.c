#include <stdio.h>

double square(double x) {  
    return x * x;  
}
