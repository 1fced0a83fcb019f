#include <stdio.h>

void square_array(double *arr, int size) {  
    for (int i = 0; i < size; i++) {  
        arr[i] *= arr[i];  
    }  
}
